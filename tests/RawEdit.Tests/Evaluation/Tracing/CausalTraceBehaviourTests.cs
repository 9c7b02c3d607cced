using RawEdit.Evaluation.Tracing;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors;

namespace RawEdit.Tests.Evaluation.Tracing;

/// <summary>Causal tracing's properties on the random GPT-2 (CPU): what restoring must give back, batching, bad inputs.</summary>
[TestFixture]
internal class CausalTraceBehaviourTests
{
    private static readonly ICausalLanguageModel Model = ModelCheckpoint.LoadOnDefaultBackend(TestPaths.Goldens("gpt2-random")).Model;
    private static readonly int[] Ids = [17, 402, 88, 391, 5, 760, 12, 999];
    private static readonly TokenSpan Subject = new(2, 5);

    private static Tensor Noise(double scale, int samples = 3) => TraceNoise.Draw(7, scale, samples, Subject.Length, Model.Embedding);

    [Test]
    public void Without_noise_every_restoration_gives_the_clean_probability()
    {
        var tracer = new CausalTracer(Model, Gpt2Tokenizer.Default, window: 3);
        int target = tracer.PredictNext(Ids);
        var trace = tracer.Trace(Ids, Subject, target, Noise(0));
        Assert.That(trace.Corrupted, Is.EqualTo(trace.Clean).Within(1e-12));
        foreach (var kind in TraceKinds.All)
            Assert.That(trace.IndirectEffect(kind).SelectMany(r => r).Max(Math.Abs), Is.LessThanOrEqualTo(1e-12), TraceKinds.Name(kind));
    }

    [Test]
    public void Restoring_the_last_tokens_final_state_gives_back_the_clean_probability_and_tokens_before_the_subject_change_nothing()
    {
        var tracer = new CausalTracer(Model, Gpt2Tokenizer.Default, window: 3);
        int target = tracer.PredictNext(Ids);
        var trace = tracer.Trace(Ids, Subject, target, Noise(1.0));
        var hidden = trace.Restored["hidden"];   // [T][L]
        Assert.That(Math.Abs(trace.Clean - trace.Corrupted), Is.GreaterThan(1e-6), "the noise must change the prediction for this test to mean anything");
        Assert.That(hidden[Ids.Length - 1][Model.Layers - 1], Is.EqualTo(trace.Clean).Within(1e-12));
        foreach (var kind in TraceKinds.All)
            for (int t = 0; t < Subject.Start; t++)
                Assert.That(trace.IndirectEffect(kind)[t].Max(Math.Abs), Is.LessThanOrEqualTo(1e-12), $"{TraceKinds.Name(kind)} token {t}: its states are clean already");
    }

    [Test]
    public void Restorations_batched_together_give_what_they_give_one_per_pass()
    {
        var noise = Noise(1.0);
        var batched = new CausalTracer(Model, Gpt2Tokenizer.Default, window: 3).Trace(Ids, Subject, 5, noise);
        var single = new CausalTracer(Model, Gpt2Tokenizer.Default, window: 3, rowsPerPass: 1).Trace(Ids, Subject, 5, noise);
        Assert.That(batched.Corrupted, Is.EqualTo(single.Corrupted).Within(1e-7 * single.Corrupted));
        foreach (var kind in TraceKinds.All)
        {
            string key = TraceKinds.Name(kind);
            var a = batched.Restored[key].SelectMany(r => r).Select(p => (float)p).ToArray();
            var b = single.Restored[key].SelectMany(r => r).Select(p => (float)p).ToArray();
            Assert.That(Compare.RelativeError(a, b), Is.LessThanOrEqualTo(1e-6), key);
        }
    }

    [Test]
    public void Windows_are_clipped_at_the_models_edges_as_upstream()
    {
        Assert.That(TraceKinds.RestoredLayers(TraceKind.Mlp, 0, 10, 12), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(TraceKinds.RestoredLayers(TraceKind.Mlp, 6, 10, 12), Is.EqualTo(Enumerable.Range(1, 10)));
        Assert.That(TraceKinds.RestoredLayers(TraceKind.Attention, 11, 10, 12), Is.EqualTo(Enumerable.Range(6, 6)));
        Assert.That(TraceKinds.RestoredLayers(TraceKind.Mlp, 1, 3, 4), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(TraceKinds.RestoredLayers(TraceKind.HiddenState, 2, 10, 4), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void The_subject_is_found_as_the_tokens_that_spell_it()
    {
        var tokenizer = Gpt2Tokenizer.Default;
        var ids = tokenizer.Encode("The mother tongue of Danielle Darrieux is");
        var span = TokenSpan.Locate(tokenizer, ids, "Danielle Darrieux");
        Assert.That(tokenizer.Decode(ids[span.Start..span.End]), Is.EqualTo(" Danielle Darrieux"));
        Assert.That(span.Last, Is.EqualTo(ids.Length - 2));
        Assert.That(TokenRoles.Of(span.Last, span, ids.Length), Is.EqualTo(TokenRole.LastSubject));
        Assert.That(TokenRoles.Of(ids.Length - 1, span, ids.Length), Is.EqualTo(TokenRole.LastToken));
        Assert.That(TokenRoles.Of(0, span, ids.Length), Is.EqualTo(TokenRole.BeforeSubject));
    }

    [Test]
    public void Bad_inputs_are_refused_with_a_reason()
    {
        var tokenizer = Gpt2Tokenizer.Default;
        var ids = tokenizer.Encode("The Eiffel Tower is located in");
        Assert.That(() => TokenSpan.Locate(tokenizer, ids, "Colosseum"), Throws.ArgumentException.With.Message.Contains("does not occur"));
        Assert.That(() => TokenSpan.Locate(tokenizer, ids, " "), Throws.ArgumentException.With.Message.Contains("empty"));

        var tracer = new CausalTracer(Model, tokenizer);
        Assert.That(() => tracer.Trace(Ids, new TokenSpan(6, 9), 5, Noise(1.0)), Throws.ArgumentException.With.Message.Contains("inside the prompt"));
        Assert.That(() => tracer.Trace(Ids, Subject, Model.VocabSize, Noise(1.0)), Throws.ArgumentException.With.Message.Contains("vocabulary"));
        Assert.That(() => tracer.Trace(Ids, new TokenSpan(2, 4), 5, Noise(1.0)), Throws.ArgumentException.With.Message.Contains("subject tokens"));
        Assert.That(() => new TraceSettings(Samples: 0).Validate(), Throws.ArgumentException);
        Assert.That(() => new CausalTracer(Model, tokenizer, window: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    /// <summary>4 tokens, subject [1, 3), 2 layers; corrupted p 0.1; the same restored map for every kind.</summary>
    internal static CausalTrace Synthetic(double lastSubjectEffectAtLayer1)
    {
        double[][] map = [[0.1, 0.1], [0.2, 0.1], [0.1, 0.1 + lastSubjectEffectAtLayer1], [0.5, 0.9]];
        return new CausalTrace
        {
            Tokens = ["a", "b", "c", "d"], Subject = new TokenSpan(1, 3), TargetId = 0, Target = "x", Samples = 1, Window = 1, Layers = 2,
            Clean = 1, Corrupted = 0.1, Restored = TraceKinds.All.ToDictionary(TraceKinds.Name, _ => map),
        };
    }

    [Test]
    public void The_average_takes_each_prompts_mean_per_role_and_finds_the_peak_layer()
    {
        var average = new TraceAverage(2);
        average.Add(Synthetic(0.4));
        average.Add(Synthetic(0.2));
        Assert.That(average.Mean(TraceKind.Mlp, TokenRole.LastSubject), Is.EqualTo(new[] { 0.0, 0.3 }).Within(1e-12));
        Assert.That(average.Mean(TraceKind.HiddenState, TokenRole.FirstSubject), Is.EqualTo(new[] { 0.1, 0.0 }).Within(1e-12));
        Assert.That(average.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject), Is.EqualTo(1));
        Assert.That(average.PromptsWith(TokenRole.MiddleSubject), Is.Zero);
        Assert.That(() => average.Add(Synthetic(0) with { Layers = 3 }), Throws.ArgumentException);
    }

    [Test]
    public void An_average_written_as_json_reads_back_with_its_means_counts_and_peaks()
    {
        var average = new TraceAverage(2);
        average.Add(Synthetic(0.4));
        average.Add(Synthetic(0.2) with { Clean = 0.8, Subject = new TokenSpan(1, 2) });   // one-token subject: no middle, "c" is further
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"trace-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, TraceJson.Render("m", [], average));
            var (model, read) = TraceJson.ReadAverage(path);
            Assert.That(model, Is.EqualTo("m"));
            Assert.That(read.Prompts, Is.EqualTo(2));
            Assert.That(read.MeanClean, Is.EqualTo(0.9).Within(1e-12));
            foreach (var role in TokenRoles.Averaged)
            {
                Assert.That(read.PromptsWith(role), Is.EqualTo(average.PromptsWith(role)), TokenRoles.Name(role));
                foreach (var kind in TraceKinds.All)
                    Assert.That(read.Mean(kind, role), Is.EqualTo(average.Mean(kind, role)).Within(1e-12), $"{TraceKinds.Name(kind)} {TokenRoles.Name(role)}");
            }
            Assert.That(read.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject), Is.EqualTo(average.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject)));

            File.WriteAllText(path, TraceJson.Render("m", [Synthetic(0.1)], null));
            Assert.That(() => TraceJson.ReadAverage(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no average"));

            // An older file (no layer count, no prompts per role), and one whose mean for a counted role is missing.
            var json = System.Text.Json.Nodes.JsonNode.Parse(TraceJson.Render("m", [], average))!;
            json["average"]!.AsObject().Remove("prompts_per_role");
            File.WriteAllText(path, json.ToJsonString());
            Assert.That(() => TraceJson.ReadAverage(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("older rawedit trace"));
            json = System.Text.Json.Nodes.JsonNode.Parse(TraceJson.Render("m", [], average))!;
            json["average"]!["mean_indirect_effect"]!["mlp"]!.AsObject().Remove("last subject token");
            File.WriteAllText(path, json.ToJsonString());
            Assert.That(() => TraceJson.ReadAverage(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(path).And.Message.Contains("no mlp mean at the last subject token"));
        }
        finally { File.Delete(path); }
    }
}
