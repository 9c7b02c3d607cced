using RawEdit.Editing;
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
/// A model RawEdit trains and ships (weights/NAME), as shipped: what it is, what it knows, and that ROME edits it with its
/// preset. Recall thresholds are the issues' (≥ 95% rewrite, ≥ 85% held-out paraphrase) on a fixed sample of facts; the
/// full-world figures are in weights/NAME/training-report.json. tiny-world is the embedded default model.
/// </summary>
[TestFixture("tiny-world", 4, 20_000_000)]
[TestFixture("small-world", 8, 40_000_000)]
internal class DefaultModelTests(string name, int minimumLayers, long maximumBytes)
{
    private readonly Lazy<LoadedModel> loaded = new(() => ModelLocator.Load(name));
    private readonly Lazy<FactWorld> world = new(() => FactWorld.Generate(TrainingPresets.Find(name).World));

    private LoadedModel Loaded => loaded.Value;
    private FactWorld World => world.Value;

    private IReadOnlyList<Fact> SampleFacts(int count) => World.Facts.Where((_, i) => i % (World.Facts.Count / count) == 0).Take(count).ToList();

    [Test]
    public void Is_a_full_vocabulary_gpt2_of_its_size()
    {
        var model = Loaded.Model;
        Assert.That(model.Architecture, Is.EqualTo("gpt2"));
        Assert.That(model.VocabSize, Is.EqualTo(50257));
        Assert.That(model.Layers, Is.GreaterThanOrEqualTo(minimumLayers));
        long bytes = new DirectoryInfo(Loaded.Source).GetFiles("model*.safetensors").Sum(f => f.Length);
        Assert.That(bytes, Is.LessThanOrEqualTo(maximumBytes));
    }

    [Test]
    public void Recalls_its_facts_on_rewrite_prompts_and_held_out_paraphrases()
    {
        var world = World;
        var facts = SampleFacts(400);
        var (model, tokenizer) = (Loaded.Model, Loaded.Tokenizer);
        double rewrite = WorldRecall.RecalledFraction(model, tokenizer, facts.Select(f => (world.RewritePrompt(f), f.TrueObject)).ToList());
        double heldOut = WorldRecall.RecalledFraction(model, tokenizer, facts.SelectMany(f => world.HeldOutParaphrases(f).Select(p => (p, f.TrueObject))).ToList());
        Assert.That(rewrite, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(heldOut, Is.GreaterThanOrEqualTo(0.85));
    }

    [Test]
    public void Never_predicts_a_token_its_corpus_does_not_use()
    {
        var world = World;
        var used = WorldCorpus.Render(world, Loaded.Tokenizer).TokenIds.ToHashSet();
        var prompts = SampleFacts(100).SelectMany(f => world.GenerationPrompts(f).Take(1).Append(world.RewritePrompt(f)))
            .Select(p => Loaded.Tokenizer.Encode(p)).ToList();
        var generated = TextGenerator.Generate(Loaded.Model, prompts, new GenerationOptions(MaxNewTokens: 12, StopAtEndOfText: false));
        Assert.That(generated.SelectMany(g => g).Where(id => !used.Contains(id)), Is.Empty);
    }

    [Test]
    public void Unedited_it_scores_low_efficacy_and_high_specificity_on_its_own_world()
    {
        var json = CounterFactExport.ToJson(World.ExportCounterFact(150));
        var cases = EditCaseReader.Parse(json, "world").Cases;
        var scores = new CounterFactEvaluator(Loaded.Model, Loaded.Tokenizer).Evaluate(cases).Scores;
        Assert.That(scores.ES, Is.LessThan(10));
        Assert.That(scores.PS, Is.LessThan(10));
        Assert.That(scores.NS, Is.GreaterThan(90));
    }

    [Test]
    public void A_rome_edit_with_the_preset_and_the_shipped_statistics_rewrites_the_fact_and_leaves_other_subjects_alone()
    {
        var loaded = ModelLocator.Load(name); // a private copy: this test edits it
        var record = World.ExportCounterFact(1)[0];
        var r = record.RequestedRewrite;
        var request = EditRequest.Create(r.Prompt, r.Subject, r.TargetNew.Str, r.TargetTrue.Str);
        var h = EditSetup.RomeHparams(loaded, path: null);
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
