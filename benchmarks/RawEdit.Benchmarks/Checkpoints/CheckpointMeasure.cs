using System.Diagnostics;
using System.Text.Json;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Benchmarks.Checkpoints;

/// <summary>
/// One cold run on a real-size checkpoint (benchmarks/checkpoints/run.sh drops the page cache first), printing one
/// JSON line: load seconds (open, validate, map or widen), resident memory after it, two forward passes of
/// batch 1 × <c>tokens</c> (the first reads the mapped weights from disk), one ROME edit, and the process's peak
/// resident set (VmHWM, counting mapped file pages it touched) split into heap and file pages at the end.
/// The edit is upstream's request at the model's ROME layer with C = I (no statistics exist for a random model),
/// the unprefixed template only and <c>steps</c> value iterations, so that it fits a CPU run; the issue asks its time.
/// </summary>
public static class CheckpointMeasure
{
    public static int Run(string folder, int tokens, int steps)
    {
        var clock = Stopwatch.StartNew();
        var loaded = ModelCheckpoint.Load(folder, WeightPrecisions.FromEnvironment());
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var model = loaded.Model;
        long rssAfterLoad = ProcessMemory.Status("VmRSS");
        int halfMatrices = model.Parameters.Values.Count(t => t.DType.IsStorageOnly());

        var rng = new Random(1);
        var batch = TokenBatch.Single(Enumerable.Range(0, tokens).Select(_ => rng.Next(0, 50000)).ToArray());
        double Forward()
        {
            var watch = Stopwatch.StartNew();
            using var _ = Tape.NoGrad();
            model.Forward(batch);
            return watch.Elapsed.TotalSeconds;
        }
        double firstForward = Forward(), secondForward = Forward();

        var h = (model.Architecture == "gptj" ? RomeHyperParameters.GptJ6B : RomeHyperParameters.Gpt2Xl) with { Mom2Adjustment = false, VNumGradSteps = steps };
        h = h with { Layers = [Math.Min(h.Layer, model.Layers - 1)], VLossLayer = model.Layers - 1 };   // the miniatures have 2 layers
        var request = EditRequest.Create("{}'s mother tongue is", "Danielle Darrieux", "English", "French");
        var prompts = RomePrompts.Build(Gpt2Tokenizer.Default, request, ["{}"]);
        clock.Restart();
        var rome = RomeEditor.Compute(model, prompts, h, RomeMode.Rome, SecondMoment.Identity(model.MlpWidth));
        rome.Edit.ApplyTo(model);
        double editSeconds = clock.Elapsed.TotalSeconds;

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            folder, architecture = model.Architecture, layers = model.Layers, embedding = model.Embedding,
            parameters = model.Parameters.Values.Sum(t => t.Length), half_matrices = halfMatrices,
            precision = Environment.GetEnvironmentVariable(WeightPrecisions.Variable) ?? "auto",
            load_s = loadSeconds, rss_after_load_gib = ProcessMemory.Gib(rssAfterLoad),
            tokens, first_forward_s = firstForward, first_forward_tokens_per_s = tokens / firstForward,
            forward_s = secondForward, forward_tokens_per_s = tokens / secondForward,
            rome_layer = h.Layer, rome_steps = rome.Value.LossTrace.Length, rome_edit_s = editSeconds,
            peak_rss_gib = ProcessMemory.Gib(ProcessMemory.Status("VmHWM")), rss_anon_gib = ProcessMemory.Gib(ProcessMemory.Status("RssAnon")), rss_file_gib = ProcessMemory.Gib(ProcessMemory.Status("RssFile")),
        }));
        return 0;
    }
}
