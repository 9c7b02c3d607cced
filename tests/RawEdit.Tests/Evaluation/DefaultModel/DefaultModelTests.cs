using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.World;
using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Evaluation.DefaultModel;

/// <summary>
/// The embedded default model (weights/tiny-world), as shipped: what it is, what it knows, and that ROME edits it.
/// Recall thresholds are the (≥ 95% rewrite, ≥ 85% held-out paraphrase) on a fixed sample of facts;
/// the full-world figures are in weights/tiny-world/training-report.json.
/// </summary>
[TestFixture]
internal class DefaultModelTests
{
    private static readonly Lazy<LoadedModel> Loaded = new(() => ModelLocator.Load(TinyWorldPreset.Name));
    private static readonly Lazy<FactWorld> World = new(() => FactWorld.Generate(TinyWorldPreset.World));

    private static IReadOnlyList<Fact> SampleFacts(int count) =>
        World.Value.Facts.Where((_, i) => i % (World.Value.Facts.Count / count) == 0).Take(count).ToList();

    [Test]
    public void Is_a_full_vocabulary_gpt2_with_at_least_four_layers_within_twenty_megabytes()
    {
        var model = Loaded.Value.Model;
        Assert.That(model.Architecture, Is.EqualTo("gpt2"));
        Assert.That(model.VocabSize, Is.EqualTo(50257));
        Assert.That(model.Layers, Is.GreaterThanOrEqualTo(4));
        long bytes = new DirectoryInfo(Loaded.Value.Source).GetFiles("model*.safetensors").Sum(f => f.Length);
        Assert.That(bytes, Is.LessThanOrEqualTo(20_000_000));
    }

    [Test]
    public void Recalls_its_facts_on_rewrite_prompts_and_held_out_paraphrases()
    {
        var world = World.Value;
        var facts = SampleFacts(400);
        var (model, tokenizer) = (Loaded.Value.Model, Loaded.Value.Tokenizer);
        double rewrite = WorldRecall.RecalledFraction(model, tokenizer, facts.Select(f => (world.RewritePrompt(f), f.TrueObject)).ToList());
        double heldOut = WorldRecall.RecalledFraction(model, tokenizer, facts.SelectMany(f => world.HeldOutParaphrases(f).Select(p => (p, f.TrueObject))).ToList());
        Assert.That(rewrite, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(heldOut, Is.GreaterThanOrEqualTo(0.85));
    }

    [Test]
    public void Never_predicts_a_token_its_corpus_does_not_use()
    {
        var world = World.Value;
        var used = WorldCorpus.Render(world, Loaded.Value.Tokenizer).TokenIds.ToHashSet();
        var prompts = SampleFacts(100).SelectMany(f => world.GenerationPrompts(f).Take(1).Append(world.RewritePrompt(f)))
            .Select(p => Loaded.Value.Tokenizer.Encode(p)).ToList();
        var generated = TextGenerator.Generate(Loaded.Value.Model, prompts, new GenerationOptions(MaxNewTokens: 12, StopAtEndOfText: false));
        Assert.That(generated.SelectMany(g => g).Where(id => !used.Contains(id)), Is.Empty);
    }

    [Test]
    public void Unedited_it_scores_low_efficacy_and_high_specificity_on_its_own_world()
    {
        var json = CounterFactExport.ToJson(World.Value.ExportCounterFact(150));
        var cases = EditCaseReader.Parse(json, "world").Cases;
        var scores = new CounterFactEvaluator(Loaded.Value.Model, Loaded.Value.Tokenizer).Evaluate(cases).Scores;
        Assert.That(scores.ES, Is.LessThan(10));
        Assert.That(scores.PS, Is.LessThan(10));
        Assert.That(scores.NS, Is.GreaterThan(90));
    }

    [Test]
    public void A_rome_edit_with_the_shipped_statistics_rewrites_the_fact_and_leaves_other_subjects_alone()
    {
        var loaded = ModelLocator.Load(TinyWorldPreset.Name); // a private copy: this test edits it
        var record = World.Value.ExportCounterFact(1)[0];
        var r = record.RequestedRewrite;
        var request = EditRequest.Create(r.Prompt, r.Subject, r.TargetNew.Str, r.TargetTrue.Str);
        var h = RomeHyperParameters.TinyWorld;
        var moment = SecondMomentLookup.Find(Path.Combine(loaded.Source, "stats"), loaded.Model, h.Layer, h.Mom2NSamples);
        var templates = ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, h.ContextTemplateLengthParams);
        var result = RomeEditor.Compute(loaded.Model, loaded.Tokenizer, request, templates, h, RomeMode.Rome, moment);
        result.Edit.ApplyTo(loaded.Model);
        var edited = new CounterFactEvaluator(loaded.Model, loaded.Tokenizer)
            .Evaluate(EditCaseReader.Parse(CounterFactExport.ToJson([record]), "case").Cases).Scores;
        Assert.That(edited.ES, Is.EqualTo(100));
        Assert.That(edited.NS, Is.GreaterThanOrEqualTo(80), "neighbours (other subjects, same relation) keep their true object");
    }
}
