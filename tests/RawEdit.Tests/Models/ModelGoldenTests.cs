using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Models;

/// <summary>
/// GPT-2 and GPT-J against the PyTorch references (tools/reference/gpt2_ref.py, gptj_ref.py; float64 runs stored as float32).
/// Tolerances from the issue: logits max |diff| ≤ 1e-4; gradients ‖ours − ref‖/‖ref‖ ≤ 1e-3 per tensor. On each backend.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class ModelGoldenTests(string device) : DeviceFixture(device)
{
    private const double LogitTolerance = 1e-4;
    private const double GradientTolerance = 1e-3;

    private static IEnumerable<string> Cases => GoldenCase.Names.Concat(GoldenCase.GptJNames);

    [TestCaseSource(nameof(Cases))]
    public void Batched_padded_logits_match_the_reference_at_every_position(string name)
    {
        using var golden = GoldenCase.Open(name);
        using var _ = Tape.NoGrad();
        var logits = golden.Model.Forward(golden.Batch);
        Assert.That(logits.Shape, Is.EqualTo(new[] { golden.Batch.Batch, golden.Batch.Time, golden.Model.VocabSize }));
        double error = Compare.MaxAbsDiff(logits.ToFloatArray(), golden.Golden("logits"));
        TestContext.Out.WriteLine($"{name}: logits max |diff| {error:E2}");
        Assert.That(error, Is.LessThanOrEqualTo(LogitTolerance));
    }

    [TestCaseSource(nameof(Cases))]
    public void Each_prompt_alone_gives_the_reference_logits(string name)
    {
        using var golden = GoldenCase.Open(name);
        using var _ = Tape.NoGrad();
        for (int i = 0; i < golden.Sequences.Count; i++)
        {
            var logits = golden.Model.Forward(global::RawEdit.Models.TokenBatch.Single(golden.Sequences[i]));
            Assert.That(Compare.MaxAbsDiff(logits.ToFloatArray(), golden.Golden($"logits.single.{i}")), Is.LessThanOrEqualTo(LogitTolerance), $"prompt {i}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Loss_and_the_gradient_of_every_parameter_match_the_reference(string name)
    {
        using var golden = GoldenCase.Open(name);
        foreach (var p in golden.Model.Parameters.Values) p.RequiresGrad = true;
        using var tape = new Tape();
        var logits = golden.Model.Forward(golden.Batch);
        var loss = Ops.CrossEntropy(Ops.Reshape(logits, -1, golden.Model.VocabSize), golden.Batch.NextTokenTargets());
        tape.Backward(loss);

        Assert.That(loss.Item(), Is.EqualTo(golden.Golden("loss")[0]).Within(1e-5));
        double worst = 0;
        foreach (var (parameter, tensor) in golden.Model.Parameters)
        {
            Assert.That(tensor.Grad, Is.Not.Null, parameter);
            double error = Compare.RelativeError(tensor.Grad!.ToFloatArray(), golden.Golden(golden.GradKey(parameter)));
            Assert.That(error, Is.LessThanOrEqualTo(GradientTolerance), parameter);
            worst = Math.Max(worst, error);
        }
        TestContext.Out.WriteLine($"{name}: worst parameter-gradient relative error {worst:E2}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Hooks_read_the_reference_key_mlp_output_and_block_output(string name)
    {
        using var golden = GoldenCase.Open(name);
        var hooks = new ForwardHooks();
        var key = hooks.Capture(HookPoint.MlpKey, golden.HookLayer);
        var mlpOut = hooks.Capture(HookPoint.MlpOut, golden.HookLayer);
        var blockOut = hooks.Capture(HookPoint.BlockOut, golden.HookLayer);
        using (Tape.NoGrad()) golden.Model.Forward(golden.Batch, hooks);

        Assert.That(Compare.MaxAbsDiff(key.Required.ToFloatArray(), golden.Golden("hook.mlp_in")), Is.LessThanOrEqualTo(LogitTolerance));
        Assert.That(Compare.MaxAbsDiff(mlpOut.Required.ToFloatArray(), golden.Golden("hook.mlp_out")), Is.LessThanOrEqualTo(LogitTolerance));
        Assert.That(Compare.MaxAbsDiff(blockOut.Required.ToFloatArray(), golden.Golden("hook.block_out")), Is.LessThanOrEqualTo(LogitTolerance));
    }

    [TestCaseSource(nameof(Cases))]
    public void A_vector_injected_at_the_mlp_output_gets_the_reference_gradient_with_frozen_weights(string name)
    {
        using var golden = GoldenCase.Open(name);
        var (delta, hooks) = InjectReferenceDelta(golden);

        using var tape = new Tape();
        var logits = golden.Model.Forward(golden.Batch, hooks);
        var loss = Ops.CrossEntropy(Ops.Reshape(logits, -1, golden.Model.VocabSize), golden.Batch.NextTokenTargets());
        tape.Backward(loss);

        Assert.That(Compare.MaxAbsDiff(logits.ToFloatArray(), golden.Golden("inject.logits")), Is.LessThanOrEqualTo(LogitTolerance));
        Assert.That(loss.Item(), Is.EqualTo(golden.Golden("inject.loss")[0]).Within(1e-5));
        Assert.That(Compare.RelativeError(delta.Grad!.ToFloatArray(), golden.Golden("inject.grad_delta")), Is.LessThanOrEqualTo(GradientTolerance));
        Assert.That(golden.Model.Parameters.Values.All(p => p.Grad is null), "frozen weights must get no gradient");
    }

    [TestCaseSource(nameof(Cases))]
    public void Captured_hook_gradients_sum_to_the_gradient_of_the_injected_vector(string name)
    {
        using var golden = GoldenCase.Open(name);
        var (delta, hooks) = InjectReferenceDelta(golden);
        var captured = hooks.Capture(HookPoint.MlpOut, golden.HookLayer, retainGrad: true);
        using (var tape = new Tape())
        {
            var logits = golden.Model.Forward(golden.Batch, hooks);
            tape.Backward(Ops.CrossEntropy(Ops.Reshape(logits, -1, golden.Model.VocabSize), golden.Batch.NextTokenTargets()));
        }
        // δ enters the MLP output additively at its rows, so dL/dδ = Σ over those rows of dL/d(mlp out).
        var grad = captured.Required.Grad!.ToFloatArray();
        int c = golden.Model.Embedding;
        var summed = new float[c];
        foreach (int row in golden.InjectRows)
            for (int i = 0; i < c; i++) summed[i] += grad[row * c + i];
        Assert.That(Compare.RelativeError(summed, golden.Golden("inject.grad_delta")), Is.LessThanOrEqualTo(GradientTolerance));
        Assert.That(Compare.RelativeError(summed, delta.Grad!.ToFloatArray()), Is.LessThan(1e-5));
    }

    // The split pass (Freeze once, Resume on the changed rows): the reference adds δ at the hook layer's MLP output at the
    // injection rows and runs the whole model; here the rows before each sequence's first injection are frozen, δ is
    // added to the frozen block output (the block adds its MLP output to the residual stream) and only the changed
    // rows run above it.
    [TestCaseSource(nameof(Cases))]
    public void A_resumed_pass_gives_the_reference_logits_and_delta_gradient(string name)
    {
        using var golden = GoldenCase.Open(name);
        var batch = golden.Batch;
        int T = batch.Time, V = golden.Model.VocabSize;
        // Each sequence changes from its first injected row on; one without an injection from its last row (nothing changes there).
        var firstChanged = Enumerable.Range(0, batch.Batch)
            .Select(b => golden.InjectRows.Where(r => r / T == b).Select(r => r % T).DefaultIfEmpty(batch.Lengths[b] - 1).Min()).ToArray();
        var prefix = golden.Model.Freeze(batch, golden.HookLayer, firstChanged);
        Assert.That(prefix.ChangedRows, Has.Length.EqualTo(batch.Lengths.Zip(firstChanged, (l, f) => l - f).Sum()));
        Assert.That(prefix.Residual.RequiresGrad, Is.False, "the frozen pass records nothing for the tape");

        var delta = Tensor.FromArray(golden.Golden("inject.delta"), golden.Model.Embedding);
        delta.RequiresGrad = true;
        var injected = golden.InjectRows.Select(r => prefix.ChangedIndex(r / T, r % T)).ToArray();
        // Output only the changed rows that predict a next token: each sequence's last row is left out of the last block's MLP.
        var targets = batch.NextTokenTargets();
        var outputRows = Enumerable.Range(0, prefix.ChangedRows.Length).Where(i => targets[prefix.ChangedRows[i]] >= 0).ToArray();
        Assert.That(outputRows, Has.Length.LessThan(prefix.ChangedRows.Length));

        using var tape = new Tape();
        var hidden = golden.Model.Resume(prefix, ForwardHooks.AddVectorAt(prefix.Residual, delta, injected), outputRows);
        var logits = golden.Model.Unembed(hidden);
        // The reference's loss is the mean over every target of the batch; the frozen rows' terms do not depend on δ.
        var loss = Ops.Scale(Ops.Sum(Ops.CrossEntropyPerRow(logits, outputRows.Select(i => targets[prefix.ChangedRows[i]]).ToArray())),
            1.0 / targets.Count(t => t >= 0));
        tape.Backward(loss);

        var expected = golden.Golden("inject.logits");
        var actual = logits.ToFloatArray();
        for (int i = 0; i < outputRows.Length; i++)
        {
            int row = prefix.ChangedRows[outputRows[i]];
            Assert.That(Compare.MaxAbsDiff(actual.AsSpan(i * V, V), expected.AsSpan(row * V, V)), Is.LessThanOrEqualTo(LogitTolerance), $"row {row}");
        }
        Assert.That(Compare.RelativeError(delta.Grad!.ToFloatArray(), golden.Golden("inject.grad_delta")), Is.LessThanOrEqualTo(GradientTolerance));
        Assert.That(golden.Model.Parameters.Values.All(p => p.Grad is null), "frozen weights must get no gradient");
    }

    // Generation's cached pass: the first three positions of every sequence at once, then one position per call, each
    // reading the earlier rows' keys and values from the cache, in a batch two positions wider than the reference's.
    [TestCaseSource(nameof(Cases))]
    public void A_cached_pass_one_position_at_a_time_gives_the_reference_logits(string name)
    {
        using var golden = GoldenCase.Open(name);
        var batch = golden.Batch;
        int T = batch.Time, V = golden.Model.VocabSize, width = T + 2;
        var wide = new global::RawEdit.Models.TokenBatch(golden.Sequences, golden.Model.EosTokenId, width);
        var cache = new global::RawEdit.Models.AttentionCache(batch.Batch, width);
        var expected = golden.Golden("logits");
        using var _ = Tape.NoGrad();
        for (int from = 0, to = 3; from < T; from = to, to++)
        {
            var positions = Enumerable.Range(0, batch.Batch).SelectMany(b => Enumerable.Range(from, Math.Max(0, Math.Min(to, batch.Lengths[b]) - from)).Select(t => (b, t))).ToArray();
            if (positions.Length == 0) continue;
            var logits = golden.Model.Unembed(golden.Model.Extend(wide, positions.Select(p => wide.Row(p.b, p.t)).ToArray(), cache)).ToFloatArray();
            for (int i = 0; i < positions.Length; i++)
            {
                var (b, t) = positions[i];
                Assert.That(Compare.MaxAbsDiff(logits.AsSpan(i * V, V), expected.AsSpan((b * T + t) * V, V)), Is.LessThanOrEqualTo(LogitTolerance), $"sequence {b} position {t}");
            }
        }
        Assert.Throws<ArgumentException>(() => golden.Model.Extend(batch, [0], cache), "a cache is tied to its batch's shape");
    }

    [TestCaseSource(nameof(Cases))]
    public void Stopping_after_a_block_gives_the_reference_block_output(string name)
    {
        using var golden = GoldenCase.Open(name);
        using var _ = Tape.NoGrad();
        var h = golden.Model.HiddenStates(golden.Batch, lastBlock: golden.HookLayer);
        Assert.That(Compare.MaxAbsDiff(h.ToFloatArray(), golden.Golden("hook.block_out")), Is.LessThanOrEqualTo(LogitTolerance));
    }

    [Test]
    public void Rows_outside_the_changed_part_are_refused()
    {
        using var golden = GoldenCase.Open("gpt2-random");
        var batch = golden.Batch;
        var tooLate = batch.Lengths.ToArray();
        Assert.Throws<ArgumentOutOfRangeException>(() => golden.Model.Freeze(batch, 1, tooLate));
        var prefix = golden.Model.Freeze(batch, 1, batch.Lengths.Select(l => l - 2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => prefix.ChangedIndex(0, batch.Lengths[0] - 3));
        Assert.Throws<ArgumentException>(() => golden.Model.Resume(prefix, Tensor.Zeros(prefix.ChangedRows.Length + 1, golden.Model.Embedding), [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => golden.Model.Resume(prefix, prefix.Residual, [prefix.ChangedRows.Length]));
    }

    /// <summary>The reference's δ, requiring a gradient, added at the MLP output of the hook layer at the injection rows.</summary>
    private static (Tensor Delta, ForwardHooks Hooks) InjectReferenceDelta(GoldenCase golden)
    {
        var delta = Tensor.FromArray(golden.Golden("inject.delta"), golden.Model.Embedding);
        delta.RequiresGrad = true;
        var hooks = new ForwardHooks();
        hooks.AddVector(HookPoint.MlpOut, golden.HookLayer, delta, golden.InjectRows);
        return (delta, hooks);
    }
}
