using System.Text.Json.Nodes;
using RawEdit.Editing.Mend;
using RawEdit.Models;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors;

namespace RawEdit.Tests.Editing;

/// <summary>MEND's contracts beyond the reference numbers: exact revert, editor files, bit-exact resume, hparams errors.</summary>
[TestFixture]
internal class MendBehaviourTests
{
    private static readonly Gpt2Config Small = new() { VocabSize = 61, Positions = 24, Embedding = 16, Layers = 3, Heads = 2, BosTokenId = 60, EosTokenId = 60 };

    private static readonly MendHyperParameters Quick = new()
    {
        Rank = 8, Lr = 1e-3, LrLr = 1e-2, EditLr = 1e-2, AccumulateBs = 2, ValEvery = 4, ValSteps = 2, MaxIters = 8, EarlyStopPatience = 100, Seed = 5,
    };

    /// <summary>Random id-level examples: prompt + 1–2 target ids, a paraphrase, two locality texts.</summary>
    private static List<MendExample> Examples(int count, int seed)
    {
        var rng = new Random(seed);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(0, Small.VocabSize - 1)).ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            int[] prompt = Ids(rng.Next(3, 7)), target = Ids(rng.Next(1, 3)), paraphrase = Ids(rng.Next(2, 6));
            var inner = new TargetedSequence([.. prompt, .. target], prompt.Length);
            return new MendExample([inner], [inner, new TargetedSequence([.. paraphrase, .. target], paraphrase.Length)], [Ids(5), Ids(3)]);
        }).ToList();
    }

    private static float[] Snapshot(MendEditor editor) =>
        editor.Parameters().SelectMany(p => p.Value.ToFloatArray())
            .Concat(editor.Networks.Values.SelectMany(n => n.InputStatistics.Mean.Concat(n.GradientStatistics.M2)).Select(x => (float)x)).ToArray();

    [Test]
    public void An_edit_as_rank_one_terms_has_one_per_token_row_and_sums_to_its_low_rank_update()
    {
        var model = Gpt2Initializer.Random(Small, seed: 1);
        var editor = MendEditor.Create(model, Quick with { EditLr = 10 });
        new MendTrainer(model, editor, Examples(4, 2), Examples(2, 3)).TrainStep();
        var edit = editor.Compute(model, Examples(1, 4)[0].EditInner);
        foreach (var u in edit.Updates)
        {
            var terms = u.Terms().ToList();
            Assert.That(terms, Has.Count.EqualTo(u.Rows));
            Assert.That(terms.Select(t => (t.WeightName, t.OutByIn, t.Rows, t.Columns)), Is.All.EqualTo((u.WeightName, u.OutByIn, u.StoredRows, u.StoredColumns)));
            var sum = new float[u.StoredRows * u.StoredColumns];
            foreach (var term in terms)
            {
                var delta = term.DeltaMatrix();
                for (int i = 0; i < sum.Length; i++) sum[i] += delta[i];
            }
            Assert.That(Compare.RelativeError(sum, u.DeltaMatrix()), Is.LessThan(1e-5), u.WeightName);
        }
    }

    [Test]
    public void On_gptj_the_default_editor_trains_and_edits_both_mlp_matrices_of_the_last_three_blocks()
    {
        var model = RawEdit.Models.ModelCheckpoint.Load(TestPaths.Goldens("gptj-random")).Model;   // 4 layers, vocabulary 1024
        var editor = MendEditor.Create(model, Quick with { EditLr = 10 });
        Assert.That(editor.Matrices.Select(m => m.Name), Is.EqualTo(new[] { 1, 2, 3 }.SelectMany(l => new[]
            { $"transformer.h.{l}.mlp.fc_in.weight", $"transformer.h.{l}.mlp.fc_out.weight" })));
        var rng = new Random(7);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(0, 1000)).ToArray();
        List<MendExample> Cases(int n) => Enumerable.Range(0, n).Select(_ =>
        {
            var inner = new TargetedSequence([.. Ids(4), .. Ids(2)], 4);
            return new MendExample([inner], [inner], [Ids(5)]);
        }).ToList();
        var before = Snapshot(editor);
        new MendTrainer(model, editor, Cases(4), Cases(2)).TrainStep();
        Assert.That(Snapshot(editor), Is.Not.EqualTo(before), "one training step moves the editor");

        var edit = editor.Compute(model, Cases(1)[0].EditInner);
        var fcOut = edit.Updates.Single(u => u.WeightName == "transformer.h.3.mlp.fc_out.weight");
        Assert.That((fcOut.OutByIn, fcOut.StoredRows, fcOut.StoredColumns), Is.EqualTo((true, 128, 512)));
        var weight = model.Parameters[fcOut.WeightName];
        var original = weight.ToFloatArray();
        var applied = edit.ApplyTo(model);
        Assert.That(weight.ToFloatArray(), Is.Not.EqualTo(original));
        applied.Revert();
        Assert.That(weight.ToFloatArray(), Is.EqualTo(original));
    }

    [Test]
    public void An_applied_edit_adds_its_delta_and_reverts_to_the_exact_bits()
    {
        var model = Gpt2Initializer.Random(Small, seed: 1);
        var editor = MendEditor.Create(model, Quick with { EditLr = 10 }); // a random model's edit gradients are tiny
        var trainer = new MendTrainer(model, editor, Examples(4, 2), Examples(2, 3));
        trainer.TrainStep();
        var before = model.Parameters.ToDictionary(p => p.Key, p => p.Value.ToFloatArray());
        var edit = editor.Compute(model, Examples(1, 4)[0].EditInner);
        Assert.That(edit.Updates.Select(u => u.WeightName), Is.EqualTo(editor.Matrices.Select(m => m.Name)));
        var applied = edit.ApplyTo(model);
        foreach (var u in edit.Updates)
        {
            var changed = model[u.WeightName].ToFloatArray().Zip(before[u.WeightName], (a, b) => a - b).ToArray();
            Assert.That(Compare.RelativeError(changed, u.DeltaMatrix()), Is.LessThan(1e-5), u.WeightName);
            Assert.That(u.DeltaMatrix().Max(Math.Abs), Is.GreaterThan(1e-5), u.WeightName);
            Assert.That(u.NormalizedMagnitude, Is.GreaterThan(0));
        }
        applied.Revert();
        foreach (var (name, tensor) in model.Parameters) Assert.That(tensor.ToFloatArray(), Is.EqualTo(before[name]), name);
    }

    [Test]
    public void The_first_accumulation_window_holds_one_example_more_as_upstreams_does()
    {
        var model = Gpt2Initializer.Random(Small, seed: 1);
        var trainer = new MendTrainer(model, MendEditor.Create(model, Quick), Examples(6, 2), Examples(2, 3));
        Assert.That(Enumerable.Range(0, 3).Select(_ => { trainer.TrainStep(); return trainer.Iteration; }), Is.EqualTo(new[] { 3, 5, 7 }));
        Assert.That(trainer.NetworkOptimizer.Step, Is.EqualTo(3));
    }

    // Adam's first step moves every parameter with a non-zero gradient by its learning rate (m̂/√v̂ = sign g): the
    // edit steps α move by lr when the outer optimiser owns them (upstream), by lr_lr under "separate".
    [TestCase(EditLrOptimizer.Outer, 1e-3)]
    [TestCase(EditLrOptimizer.Separate, 1e-2)]
    public void The_edit_steps_are_trained_by_the_optimiser_the_hparams_name(EditLrOptimizer optimizer, double expectedStep)
    {
        var model = Gpt2Initializer.Random(Small, seed: 1);
        var editor = MendEditor.Create(model, Quick with { EditLrOptimizer = optimizer });
        var before = editor.EditLearningRates.ToFloatArray();
        var trainer = new MendTrainer(model, editor, Examples(4, 2), Examples(2, 3));
        Assert.That(trainer.StepOptimizer is null, Is.EqualTo(optimizer == EditLrOptimizer.Outer));
        trainer.TrainStep();
        var moved = editor.EditLearningRates.ToFloatArray().Zip(before, (a, b) => Math.Abs((double)a - b));
        Assert.That(moved, Is.All.EqualTo(expectedStep).Within(1e-3 * expectedStep));
    }

    [Test]
    public void The_edit_lr_optimizer_key_reads_outer_or_separate_and_defaults_to_upstreams()
    {
        Assert.That(new MendHyperParameters().EditLrOptimizer, Is.EqualTo(EditLrOptimizer.Outer));
        var h = MendHyperParameters.FromJson(System.Text.Json.Nodes.JsonNode.Parse("{\"edit_lr_optimizer\": \"separate\"}")!.AsObject());
        Assert.That(h.EditLrOptimizer, Is.EqualTo(EditLrOptimizer.Separate));
        Assert.That(MendHyperParameters.FromJson(h.ToJson()).EditLrOptimizer, Is.EqualTo(EditLrOptimizer.Separate), "round trip");
        Assert.That(() => MendHyperParameters.FromJson(System.Text.Json.Nodes.JsonNode.Parse("{\"edit_lr_optimizer\": \"both\"}")!.AsObject()),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("outer"));
    }

    [Test]
    public void Resuming_from_the_saved_state_continues_bit_identically()
    {
        string root = Path.Combine(Path.GetTempPath(), "rawedit-mend-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var train = Examples(5, 7);
            var validation = Examples(2, 8);
            var model = Gpt2Initializer.Random(Small, seed: 6);
            var straight = new MendTrainer(model, MendEditor.Create(model, Quick), train, validation);
            straight.Run(Path.Combine(root, "straight"));

            var model2 = Gpt2Initializer.Random(Small, seed: 6);
            var first = new MendTrainer(model2, MendEditor.Create(model2, Quick), train, validation);
            using var stop = new CancellationTokenSource();
            first.Run(Path.Combine(root, "split"), new Inline(p => { if (p.Iteration >= 4) stop.Cancel(); }), stop.Token);
            Assert.That(first.Iteration, Is.EqualTo(5), "windows of 3 (upstream's first: accumulate_bs + 1), then 2");

            var model3 = Gpt2Initializer.Random(Small, seed: 6);
            var resumed = new MendTrainer(model3, MendEditor.Create(model3, Quick), train, validation);
            MendTrainingState.Restore(resumed, Path.Combine(root, "split", MendTrainingState.FileName));
            Assert.That(resumed.Iteration, Is.EqualTo(5));
            resumed.Run(Path.Combine(root, "split"));

            Assert.That(resumed.Iteration, Is.EqualTo(straight.Iteration));
            Assert.That(Snapshot(resumed.Editor), Is.EqualTo(Snapshot(straight.Editor)));
            Assert.That(resumed.BestValidationLoss, Is.EqualTo(straight.BestValidationLoss));
            var saved = MendEditorFile.Load(Path.Combine(root, "split"), model3);
            var reloaded = MendEditorFile.Load(Path.Combine(root, "straight"), model3);
            var request = Examples(1, 9)[0].EditInner;
            Assert.That(saved.Compute(model3, request).Updates[0].DeltaMatrix(), Is.EqualTo(reloaded.Compute(model3, request).Updates[0].DeltaMatrix()));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void An_editor_refuses_other_model_weights()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rawedit-mend-file-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            var model = Gpt2Initializer.Random(Small, seed: 1);
            MendEditorFile.Save(MendEditor.Create(model, Quick), model, Path.Combine(dir, MendEditorFile.EditorFileName));
            Assert.That(() => MendEditorFile.Load(dir, Gpt2Initializer.Random(Small, seed: 2)),
                Throws.TypeOf<InvalidDataException>().With.Message.Contains("other model weights"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("{\"rank\": 0}", "rank must be")]
    [TestCase("{\"mlp_class\": \"MLP\"}", "not supported")]
    [TestCase("{\"lr\": \"fast\"}", "wrong type")]
    [TestCase("{\"learning_rate\": 1}", "unknown MEND hyperparameter 'learning_rate'")]
    public void Bad_hparams_are_refused_naming_the_key(string json, string message) =>
        Assert.That(() => MendHyperParameters.FromJson(JsonNode.Parse(json)!.AsObject(), "h.json"),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains(message));

    [Test]
    public void Upstream_names_read_into_the_record()
    {
        var h = MendHyperParameters.FromJson(JsonNode.Parse("""
            {"edit_lr": 0.001, "lr": 1e-5, "lr_lr": 0.01, "cedit": 0.2, "cloc": 2, "rank": 64, "n_hidden": 2, "accumulate_bs": 3,
             "grad_clip": 50, "shared": true, "alg_name": "MEND", "inner_params": ["transformer.h.2.mlp.c_fc.weight"]}
            """)!.AsObject());
        Assert.That((h.EditLr, h.Lr, h.LrLr, h.CEdit, h.CLoc, h.Rank, h.NHidden, h.AccumulateBs, h.GradClip), Is.EqualTo((1e-3, 1e-5, 1e-2, 0.2, 2.0, 64, 2, 3, 50.0)));
        var editor = MendEditor.Create(Gpt2Initializer.Random(Small, seed: 1), h);
        Assert.That(editor.Matrices.Single().Name, Is.EqualTo("transformer.h.2.mlp.c_fc.weight"));
        Assert.That(editor.Networks.Single().Value.Layers, Has.Count.EqualTo(3));
        Assert.That(MendEditor.Create(Gpt2Initializer.Random(Small, seed: 1), Quick).Matrices.Select(m => m.Name), Is.EqualTo(new[]
        {
            "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight", "transformer.h.1.mlp.c_fc.weight",
            "transformer.h.1.mlp.c_proj.weight", "transformer.h.2.mlp.c_fc.weight", "transformer.h.2.mlp.c_proj.weight",
        }));
    }

    private sealed class Inline(Action<MendTrainingProgress> report) : IProgress<MendTrainingProgress>
    {
        public void Report(MendTrainingProgress value) => report(value);
    }
}
