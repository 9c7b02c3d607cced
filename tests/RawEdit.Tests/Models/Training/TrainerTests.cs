using RawEdit.Evaluation.World;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;
using RawEdit.Models.Training;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Optim;
using RawEdit.Tensors.Profiling;

namespace RawEdit.Tests.Models.Training;

[TestFixture]
internal class TrainerTests
{
    private static readonly Gpt2Config Config = new() { VocabSize = 300, Positions = 16, Embedding = 32, Layers = 2, Heads = 2, BosTokenId = 299, EosTokenId = 299 };

    // A toy corpus over a handful of the 300 ids, each sentence ending with eos.
    private static readonly List<int[]> Corpus =
    [
        [10, 11, 12, 13, 299], [10, 11, 14, 15, 299], [20, 21, 22, 299], [20, 23, 12, 13, 299],
        [30, 11, 12, 15, 299], [31, 21, 14, 299], [10, 21, 22, 13, 299], [30, 31, 20, 10, 11, 299],
    ];

    private static VocabularySubset Subset() => new(Corpus.SelectMany(s => s), Config.VocabSize);

    private static TrainingOptions Options(int epochs = 6) => new()
    {
        Epochs = epochs, BatchSequences = 3, PeakLearningRate = 1e-2, WarmupSteps = 2, ClipNorm = 1.0, Seed = 5, CheckpointEvery = 0,
    };

    [Test]
    public void Restricted_vocabulary_loss_and_gradients_equal_the_full_vocabulary_ones_when_unused_rows_are_zero()
    {
        var subset = Subset();
        var model = Gpt2Initializer.Random(Config, seed: 1);
        subset.ZeroUnusedRows(model["transformer.wte.weight"]);
        var restricted = new LanguageModelTrainer(model, Corpus, Options(), subset);
        var full = new LanguageModelTrainer(model, Corpus, Options());

        (double Loss, float[] Wte, float[] Ln) Evaluate(LanguageModelTrainer trainer)
        {
            using var tape = new Tape();
            var loss = trainer.Loss(Corpus);
            tape.Backward(loss);
            var result = (loss.Item(), model["transformer.wte.weight"].Grad!.ToFloatArray(), model["transformer.ln_f.weight"].Grad!.ToFloatArray());
            foreach (var p in model.Parameters.Values) p.ZeroGrad();
            return result;
        }

        var a = Evaluate(restricted);
        var b = Evaluate(full);
        Assert.That(a.Loss, Is.EqualTo(b.Loss).Within(1e-5 * b.Loss));
        Assert.That(Compare.RelativeError(a.Ln, b.Ln), Is.LessThan(1e-4));
        // Used rows get the same gradient; unused rows get none in the restricted run (they stay zero).
        foreach (int id in new[] { 10, 13, 22, 299 })
            Assert.That(Compare.RelativeError(a.Wte.AsSpan(id * 32, 32), b.Wte.AsSpan(id * 32, 32)), Is.LessThan(1e-4), $"row {id}");
        Assert.That(a.Wte.AsSpan(50 * 32, 32).ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void Training_fits_a_toy_corpus_and_unused_rows_stay_zero()
    {
        var subset = Subset();
        var model = Gpt2Initializer.Random(Config, seed: 2);
        subset.ZeroUnusedRows(model["transformer.wte.weight"]);
        var trainer = new LanguageModelTrainer(model, Corpus, Options(epochs: 60), subset);
        double before;
        using (Tape.NoGrad()) before = trainer.Loss(Corpus).Item();
        trainer.Run(checkpointDir: null);
        double after;
        using (Tape.NoGrad()) after = trainer.Loss(Corpus).Item();
        Assert.That(before, Is.GreaterThan(5.0), "an untrained model is near log(300)");
        Assert.That(after, Is.LessThan(1.0));
        var wte = model["transformer.wte.weight"].ToFloatArray();
        var unused = Enumerable.Range(0, 300).Except(subset.UsedIds);
        Assert.That(unused.All(id => wte.AsSpan(id * 32, 32).IndexOfAnyExcept(0f) < 0), "unused embedding rows must stay exactly zero");
    }

    [Test]
    public void A_run_resumed_from_a_checkpoint_ends_bit_identical_to_an_uninterrupted_run() =>
        AssertResumedRunIsBitIdentical(seed => Gpt2Initializer.Random(Config, seed), Corpus, Options(), Subset(), interruptAt: 7, stepsInAll: null);

    private static IEnumerable<string> PresetNames => TrainingPresets.All.Select(p => p.Name);

    /// <summary>
    /// Every preset (its world's corpus, its architecture, its training options with a 4-sequence batch so the test stays
    /// short): 2 steps, checkpoint, a fresh trainer restored from it, 1 more step equals 3 steps in one go, bit for bit.
    /// </summary>
    [TestCaseSource(nameof(PresetNames))]
    public void A_preset_run_resumed_from_a_checkpoint_continues_bit_identically(string name)
    {
        var preset = TrainingPresets.Find(name);
        var corpus = WorldCorpus.Render(FactWorld.Generate(preset.World), Gpt2Tokenizer.Default);
        var subset = new VocabularySubset(corpus.TokenIds, preset.Model.VocabSize);
        AssertResumedRunIsBitIdentical(seed => Gpt2Initializer.Random(preset.Model, seed), corpus.Sequences, preset.Training with { BatchSequences = 4 },
            subset, interruptAt: 2, stepsInAll: 3);
    }

    /// <summary>
    /// Trains <paramref name="stepsInAll"/> steps (null: to the end) straight, and again interrupted after
    /// <paramref name="interruptAt"/> steps: checkpoint, a trainer on differently initialised weights restored from it,
    /// the remaining steps. Every parameter must end bit-identical.
    /// </summary>
    private static void AssertResumedRunIsBitIdentical(Func<int, Gpt2Model> initialise, IReadOnlyList<int[]> sequences, TrainingOptions options,
        VocabularySubset subset, int interruptAt, int? stepsInAll)
    {
        string dir = Directory.CreateTempSubdirectory("rawedit-train-").FullName;
        try
        {
            void Prepare(Gpt2Model m) => subset.ZeroUnusedRows(m["transformer.wte.weight"]);
            void Finish(LanguageModelTrainer t)
            {
                int end = stepsInAll ?? t.TotalSteps;
                while (t.Step < end) t.TrainStep();
            }
            var straight = initialise(3);
            Prepare(straight);
            Finish(new LanguageModelTrainer(straight, sequences, options, subset));

            var first = initialise(3);
            Prepare(first);
            var interrupted = new LanguageModelTrainer(first, sequences, options, subset);
            for (int i = 0; i < interruptAt; i++) interrupted.TrainStep();
            TrainingCheckpoint.Save(interrupted, dir);

            var resumed = new LanguageModelTrainer(initialise(99), sequences, options, subset);
            TrainingCheckpoint.Restore(resumed, TrainingCheckpoint.Latest(dir)!);
            Assert.That(resumed.Step, Is.EqualTo(interruptAt));
            Finish(resumed);

            foreach (var (name, tensor) in straight.Parameters)
                Assert.That(resumed.Model[name].ToFloatArray(), Is.EqualTo(tensor.ToFloatArray()), name);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void A_profiled_step_is_bit_identical_to_a_plain_one_and_names_its_kinds()
    {
        var plain = new LanguageModelTrainer(Gpt2Initializer.Random(Config, seed: 6), Corpus, Options());
        var profiled = new LanguageModelTrainer(Gpt2Initializer.Random(Config, seed: 6), Corpus, Options());
        var expected = plain.TrainStep();
        IReadOnlyList<ProfiledKind> kinds;
        (double Loss, double GradientNorm, int Tokens) actual;
        using (var profiler = OpProfiler.Start())
        {
            actual = profiled.TrainStep();
            kinds = profiler.Stop();
        }
        Assert.That(actual, Is.EqualTo(expected));
        foreach (var (name, tensor) in plain.Model.Parameters)
            Assert.That(profiled.Model[name].ToFloatArray(), Is.EqualTo(tensor.ToFloatArray()), name);
        var seen = kinds.Select(k => (k.Kind, k.Backward)).ToHashSet();
        foreach (var kind in new[] { "embedding", "layer norm", "qkv linear", "attention core", "attention proj", "residual add",
                     "MLP up", "GELU", "MLP down", "final layer norm", "LM head", "loss" })
        {
            Assert.That(seen, Does.Contain((kind, false)), kind);
            Assert.That(seen, Does.Contain((kind, true)), kind + " backward");
        }
        Assert.That(seen, Does.Contain(("AdamW", false)));
        Assert.That(seen.Any(k => k.Kind == "unmarked"), Is.False, "every recorded op was marked");
    }

    [Test]
    public void Restoring_with_other_options_is_refused()
    {
        string dir = Directory.CreateTempSubdirectory("rawedit-train-").FullName;
        try
        {
            var trainer = new LanguageModelTrainer(Gpt2Initializer.Random(Config, 4), Corpus, Options());
            trainer.TrainStep();
            TrainingCheckpoint.Save(trainer, dir);
            var other = new LanguageModelTrainer(Gpt2Initializer.Random(Config, 4), Corpus, Options() with { PeakLearningRate = 0.5 });
            Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Restore(other, TrainingCheckpoint.Latest(dir)!));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void AdamW_matches_the_textbook_update_computed_in_double()
    {
        double[] p0 = [0.5, -1.0, 2.0], g1 = [0.1, -0.3, 0.0], g2 = [-0.2, 0.4, 1.0];
        var p = Tensor.FromArray(p0, 3);
        var adam = new AdamW([new OptimizedParameter("p", p)], new AdamWOptions(0.9, 0.99, 1e-8, WeightDecay: 0.1));
        double lr = 0.05;
        double[] m = new double[3], v = new double[3], expected = (double[])p0.Clone();
        int t = 0;
        foreach (var g in new[] { g1, g2 })
        {
            p.RequiresGrad = true;
            using (var tape = new Tape()) tape.Backward(Ops.Sum(Ops.Mul(p, Tensor.FromArray(g, 3)))); // ∂/∂p Σ p⊙g = g
            adam.Update(lr);
            adam.ZeroGrad();
            t++;
            for (int i = 0; i < 3; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(0.9, t)), vHat = v[i] / (1 - Math.Pow(0.99, t));
                expected[i] = expected[i] * (1 - lr * 0.1) - lr * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
        Assert.That(p.ToDoubleArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Learning_rate_warms_up_linearly_then_decays_to_the_floor()
    {
        var schedule = new LearningRateSchedule(Peak: 1.0, WarmupSteps: 10, TotalSteps: 110, MinRatio: 0.1);
        Assert.That(schedule.At(5), Is.EqualTo(0.5).Within(1e-12));
        Assert.That(schedule.At(10), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(schedule.At(60), Is.EqualTo(0.55).Within(1e-12));
        Assert.That(schedule.At(110), Is.EqualTo(0.1).Within(1e-12));
    }

    [Test]
    public void Clipping_scales_the_global_gradient_norm_down_to_the_limit()
    {
        var a = Tensor.FromArray(new double[] { 3, 0 }, 2);
        var b = Tensor.FromArray(new double[] { 0, 4 }, 2);
        a.RequiresGrad = b.RequiresGrad = true;
        using (var tape = new Tape())
            tape.Backward(Ops.Add(Ops.Sum(Ops.Mul(a, a)), Ops.Sum(Ops.Mul(b, b)))); // grads 2a, 2b: norm 10
        double norm = GradientClipping.ClipGlobalNorm([a, b], 1.0);
        Assert.That(norm, Is.EqualTo(10).Within(1e-12));
        var clipped = a.Grad!.ToDoubleArray().Concat(b.Grad!.ToDoubleArray()).ToArray();
        Assert.That(Math.Sqrt(clipped.Sum(x => x * x)), Is.EqualTo(1).Within(1e-6));
    }
}
