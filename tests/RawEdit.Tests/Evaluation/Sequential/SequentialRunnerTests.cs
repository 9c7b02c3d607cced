using System.Text.Json.Nodes;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Downstream;
using RawEdit.Evaluation.Sequential;
using RawEdit.Models;
using RawEdit.Models.Generation;

namespace RawEdit.Tests.Evaluation.Sequential;

/// <summary>The runner in-process on the 1-layer fixture: what each journal record says against direct computation.</summary>
[TestFixture]
internal class SequentialRunnerTests : TempFolderTest
{
    private static readonly RomeHyperParameters Hparams = new()
    {
        Layers = [0], VNumGradSteps = 4, VWeightDecay = 0.005, Mom2Adjustment = false, ContextTemplateLengthParams = [[5, 2]],
    };

    private static (LoadedModel Loaded, SequentialRunner Runner, RunSettings Settings, IReadOnlyList<EditCase> Cases) Create(string runDir, int edits,
        GuardOptions? guard = null)
    {
        var loaded = ModelLocator.Load(Fixture);
        var templates = ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, Hparams.ContextTemplateLengthParams);
        var method = new RomeEditMethod(loaded.Model, loaded.Tokenizer, templates, Hparams, RomeMode.Rome, SecondMoment.Identity(loaded.Model.MlpWidth));
        var cases = EditCaseReader.ReadFile(TestPaths.InRepo("weights/tiny-world/counterfact.json"), 8).Cases;
        var settings = new RunSettings
        {
            Model = loaded.Source, ModelSha256 = "test", Method = method.Name, Data = "test", DataSha256 = "test", Edits = edits, EvalEvery = 2,
            ProbePrompts = 2, ProbeTokens = 4, MethodSettings = new JsonObject(), Guard = guard ?? new GuardOptions(),
        };
        Directory.CreateDirectory(runDir);
        return (loaded, new SequentialRunner(loaded, method, cases, settings, runDir, null), settings, cases);
    }

    [Test]
    public void Each_record_holds_the_distance_from_the_pristine_weights_and_evaluations_come_every_k_edits()
    {
        string run = Path.Combine(temp, "run");
        var (loaded, runner, _, _) = Create(run, 5);
        var pristine = loaded.Model.Parameters["transformer.h.0.mlp.c_proj.weight"].ToDoubleArray();
        var outcome = runner.Run();
        Assert.That(outcome.Completed);
        var (edits, evaluations) = JournalEntries.Parse(EditJournal.Read(Path.Combine(run, SequentialRunner.JournalFile)).Records, run);
        Assert.That(edits.Select(e => e.Index), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(evaluations.Select(e => e.AfterEdits), Is.EqualTo(new[] { 2, 4 }), "no downstream tasks: nothing to evaluate before the first edit");

        // ΔW accumulated densely in double from the journaled factors; the model's float32 sum agrees to rounding.
        var sum = new double[pristine.Length];
        foreach (var edit in edits)
        {
            var term = edit.Terms.Single().ToEdit();
            var delta = term.DeltaMatrix();
            for (int i = 0; i < sum.Length; i++) sum[i] += delta[i];
            double expected = Math.Sqrt(sum.Sum(x => x * x)) / sum.Length;
            Assert.That(edit.Measurement.DistanceFromOriginal[term.WeightName], Is.EqualTo(expected).Within(1e-4 * expected), $"edit {edit.Index}");
            Assert.That(edit.Measurement.EditMagnitude[term.WeightName], Is.EqualTo(term.NormalizedMagnitude).Within(1e-12 * term.NormalizedMagnitude));
        }
        var final = ModelLocator.Load(Path.Combine(run, SequentialRunner.ModelFolder)).Model.Parameters["transformer.h.0.mlp.c_proj.weight"].ToDoubleArray();
        Assert.That(final.Select((w, i) => w - pristine[i]), Is.EqualTo(sum).Within(1e-6));
        // The final save (--save-dtype same: this F32 fixture stays F32) reports the whole run's update, kept exactly.
        var saved = outcome.Saved!.Updates.Single();
        Assert.That((saved.Name, saved.DType, saved.RelativeError), Is.EqualTo(("transformer.h.0.mlp.c_proj.weight", RawEdit.Models.Checkpoints.TensorDType.F32, 0.0)));
        Assert.That(saved.UpdateNorm, Is.EqualTo(Math.Sqrt(sum.Sum(x => x * x))).Within(1e-4 * saved.UpdateNorm));

        foreach (var evaluation in evaluations)
        {
            var f = evaluation.Forgetting!;
            Assert.That(f.EditIndices, Is.EqualTo(Enumerable.Range(0, evaluation.AfterEdits)));
            Assert.That(f.Forgotten, Is.EqualTo(f.Learnt - f.StillCorrect));
            var latest = edits[evaluation.AfterEdits - 1].Measurement;
            // The model has not changed between measuring the latest edit and this evaluation.
            Assert.That(f.PerEditES[^1], Is.EqualTo(latest.ES));
            Assert.That(f.PerEditCorrect[^1], Is.EqualTo(latest.RewriteCorrect));
        }
        Assert.That(edits.All(e => e.Measurement.ProbeTexts.Count == 2 && e.Measurement.NormalizedEntropy is > 0 and <= 1));
    }

    [Test]
    public void A_refusing_guard_reverts_the_edit_bit_for_bit_and_replay_skips_it()
    {
        // An entropy floor above 1 predicts every edit disabling: each is measured, then reverted.
        string run = Path.Combine(temp, "guarded");
        var (loaded, runner, _, _) = Create(run, 2, new GuardOptions(GuardMode.Refuse, EntropyFloor: 1.01));
        string before = ModelFingerprint.Compute(loaded.Model);
        runner.Run();
        Assert.That(ModelFingerprint.Compute(loaded.Model), Is.EqualTo(before));
        var edits = JournalEntries.Parse(EditJournal.Read(Path.Combine(run, SequentialRunner.JournalFile)).Records, run).Edits;
        Assert.That(edits.Select(e => (e.Applied, e.Guard!.Disabling)), Is.EqualTo(new[] { (false, true), (false, true) }));
        Assert.That(edits[0].Guard!.Reason, Does.Contain("entropy"));
        Assert.That(edits.All(e => e.Measurement.DistanceFromOriginal.Values.All(d => d == 0)));

        // Resuming on a fresh copy of the model replays neither refused edit; the journal's fingerprint agrees.
        var (_, resumed, _, _) = Create(run, 3, new GuardOptions(GuardMode.Refuse, EntropyFloor: 1.01));
        var outcome = resumed.Run();
        Assert.That((outcome.Replayed, outcome.EditsDone), Is.EqualTo((2, 3)));
    }

    [Test]
    public void A_run_in_use_by_another_process_is_refused()
    {
        string run = Path.Combine(temp, "busy");
        var (_, runner, _, _) = Create(run, 1);
        using var held = new FileStream(Path.Combine(run, SequentialRunner.LockFile), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var e = Assert.Throws<InvalidOperationException>(() => runner.Run());
        Assert.That(e!.Message, Does.Contain("in use by another rawedit process"));
        Assert.That(File.Exists(Path.Combine(run, SequentialRunner.JournalFile)), Is.False);
    }

    [Test]
    public void Downstream_answers_are_greedy_continuations_and_long_prompts_keep_their_end()
    {
        var loaded = ModelLocator.Load(Fixture);
        var examples = GlueData.Read(TestPaths.Shared("glue/mrpc-200.json")).Take(3).ToList();
        var evaluator = new DownstreamEvaluator(loaded.Model, loaded.Tokenizer, batchSize: 2);
        var (scores, answers) = evaluator.Evaluate(GlueTasks.Mrpc, examples);
        Assert.That(scores.Total, Is.EqualTo(3));
        Assert.That(scores.Correct + scores.Incorrect + scores.Invalid, Is.EqualTo(3));
        Assert.That(evaluator.TruncatedPrompts, Is.EqualTo(3), "6-shot MRPC prompts exceed the fixture's 256 positions");
        var ids = loaded.Tokenizer.Encode(GlueTasks.Mrpc.Prompt(examples[2]))[^(loaded.Model.MaxPositions - GlueTasks.NewTokens)..];
        var alone = TextGenerator.Generate(loaded.Model, [ids], new GenerationOptions(GlueTasks.NewTokens))[0];
        Assert.That(answers[2].Continuation, Is.EqualTo(loaded.Tokenizer.Decode(alone.Where(id => id != loaded.Tokenizer.EndOfTextId).ToArray())));
    }
}
