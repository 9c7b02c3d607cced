using RawEdit.Editing.Memit;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.GptJ;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>
/// Half checkpoints loaded with their matrices kept as stored (memory-mapped, widened per product) compute exactly what
/// the same checkpoint widened to fp32 at load computes: logits, ROME, MEMIT and MEND edits, bit for bit; an edit
/// promotes only the matrices it writes; saving writes the stored halves back unchanged.
/// </summary>
[TestFixture]
internal class StoredPrecisionTests : TempFolderTest
{
    private static readonly int[] Ids = [1, 5, 7, 900, 0, 33, 12];

    private string HalfCopy(string golden, TensorDType half)
    {
        var loaded = ModelCheckpoint.Load(TestPaths.Goldens(golden), WeightPrecision.Float32);
        var halves = loaded.Model.Parameters.Keys.ToDictionary(k => k, _ => half);
        string folder = Path.Combine(temp, $"{golden}-{half}");
        ModelCheckpoint.Save(loaded.Model, folder, loaded.Layout, halves, null);
        return folder;
    }

    private static float[] Logits(ICausalLanguageModel model)
    {
        using var _ = Tape.NoGrad();
        return model.Forward(TokenBatch.Single(Ids.Select(id => id % model.VocabSize).ToArray())).ToFloatArray();
    }

    [TestCase("gptj-random", TensorDType.BF16)]
    [TestCase("gpt2-random", TensorDType.F16)]
    public void Stored_matrices_are_mapped_and_give_the_fp32_logits_bit_for_bit(string golden, TensorDType half)
    {
        string folder = HalfCopy(golden, half);
        var stored = ModelCheckpoint.Load(folder, WeightPrecision.Stored).Model;
        var widened = ModelCheckpoint.Load(folder, WeightPrecision.Float32).Model;
        GC.Collect();
        GC.WaitForPendingFinalizers();  // the reader is closed: only the tensors' leases keep the mapping

        var matrices = stored.Parameters.Values.Where(t => t.Rank == 2).ToList();
        Assert.That(matrices.Select(t => t.Storage), Is.All.InstanceOf<CpuHalfStorage>().And.All.Matches<CpuHalfStorage>(s => s is { IsMapped: true }));
        Assert.That(stored.Parameters.Values.Where(t => t.Rank == 1).Select(t => t.DType), Is.All.EqualTo(DType.F32));
        Assert.That(widened.Parameters.Values.Select(t => t.DType), Is.All.EqualTo(DType.F32));
        Assert.That(Logits(stored), Is.EqualTo(Logits(widened)));
    }

    [TestCase("gptj-f16-sharded")]
    [TestCase("gpt2-f16")]
    public void Halves_of_a_pytorch_bin_are_kept_in_half_memory_and_give_the_fp32_logits(string fixture)
    {
        string folder = TestPaths.InRepo(Path.Combine("tests", "RawEdit.Tests", "Models", "Checkpoints", "Fixtures", "pytorch", fixture));
        var stored = ModelCheckpoint.Load(folder, WeightPrecision.Stored).Model;
        var matrices = stored.Parameters.Values.Where(t => t.Rank == 2).Select(t => t.Storage).ToList();
        Assert.That(matrices, Is.All.InstanceOf<CpuHalfStorage>().And.All.Matches<CpuHalfStorage>(s => s is { IsMapped: false }));
        Assert.That(Logits(stored), Is.EqualTo(Logits(ModelCheckpoint.Load(folder, WeightPrecision.Float32).Model)));
    }

    private static RomePrompts Prompts(int[] subject, int[] target)
    {
        int[][] contexts = [[], [47, 959, 515]];
        var keys = contexts.Select(c => new IndexedPrompt([.. c, 12, .. subject, 88], c.Length + subject.Length)).ToList();
        return new RomePrompts(keys, keys.Select(k => k with { Ids = [.. k.Ids, .. target[..^1]] }).ToList(),
            new IndexedPrompt([.. subject, 167, 309], subject.Length - 1), target);
    }

    [Test]
    public void Rome_on_a_stored_gptj_equals_rome_on_the_widened_one_and_promotes_only_its_matrix()
    {
        string folder = HalfCopy("gptj-random", TensorDType.BF16);
        var stored = ModelCheckpoint.Load(folder, WeightPrecision.Stored).Model;
        var widened = ModelCheckpoint.Load(folder, WeightPrecision.Float32).Model;
        var h = new RomeHyperParameters { Layers = [1], VNumGradSteps = 5, VWeightDecay = 0.05 };
        RomeResult Edit(ICausalLanguageModel m) => RomeEditor.Compute(m, Prompts([215, 786], [601, 515]), h, RomeMode.Rome, SecondMoment.Identity(m.MlpWidth));

        var fromStored = Edit(stored);
        Assert.That(fromStored.Edit.DeltaMatrix(), Is.EqualTo(Edit(widened).Edit.DeltaMatrix()));
        fromStored.Edit.ApplyTo(stored);
        Edit(widened).Edit.ApplyTo(widened);
        string edited = stored.MlpDownProjection(1).Name;
        Assert.That(stored.Parameters[edited].DType, Is.EqualTo(DType.F32));
        Assert.That(stored.Parameters.Where(p => p.Key != edited && p.Value.Rank == 2).Select(p => p.Value.DType), Is.All.EqualTo(DType.BF16));
        Assert.That(Logits(stored), Is.EqualTo(Logits(widened)));
    }

    [Test]
    public void Memit_and_mend_on_a_stored_gpt2_equal_the_widened_runs()
    {
        string folder = HalfCopy("gpt2-random", TensorDType.F16);
        var stored = ModelCheckpoint.Load(folder, WeightPrecision.Stored).Model;
        var widened = ModelCheckpoint.Load(folder, WeightPrecision.Float32).Model;

        var memit = new MemitHyperParameters { Layers = [1, 2], VLossLayer = 3, VNumGradSteps = 4, Mom2Adjustment = false, Mom2UpdateWeight = 2 };
        float[] Memit(ICausalLanguageModel m) => MemitEditor.Compute(m, [Prompts([215, 786], [601, 515]), Prompts([33, 98, 400], [77])], memit,
            _ => SecondMoment.Identity(m.MlpWidth)).Edit.Deltas.SelectMany(d => d.Delta).ToArray();
        Assert.That(Memit(stored), Is.EqualTo(Memit(widened)));

        // MEND's model-facing part: the gradient's rank-one factors, captured through the hooks.
        var mend = new MendHyperParameters { Rank = 8, EditLr = 1e-2, Seed = 3 };
        float[] MendFactors(ICausalLanguageModel m) => GradientFactors.Capture(m, MendEditor.Create(m, mend).Matrices,
            [new TargetedSequence([12, 215, 786, 601, 515], 3)]).SelectMany(f => f.U.Concat(f.Delta)).ToArray();
        Assert.That(MendFactors(stored), Is.EqualTo(MendFactors(widened)));
    }

    [Test]
    public void A_stored_model_saves_its_untouched_halves_back_unchanged()
    {
        string folder = HalfCopy("gptj-random", TensorDType.BF16);
        var loaded = ModelCheckpoint.Load(folder, WeightPrecision.Stored);
        string copy = Path.Combine(temp, "copy");
        ModelCheckpoint.Save(loaded.Model, copy, loaded.Layout, loaded.StoredTypes, null);
        using var original = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        using var saved = SafetensorsFile.Open(Path.Combine(copy, "model.safetensors"));
        foreach (var name in original.Entries.Keys)
            Assert.That(saved.RawBytes(name).ToArray(), Is.EqualTo(original.RawBytes(name).ToArray()), name);
    }

    [Test]
    public void Auto_keeps_halves_only_when_fp32_would_take_over_half_the_memory_and_the_variable_is_checked()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Assert.That(WeightPrecision.Auto.KeepsHalf(available / 4 / 4), Is.False);
        Assert.That(WeightPrecision.Auto.KeepsHalf(available / 4), Is.True);
        Assert.That(WeightPrecision.Float32.KeepsHalf(long.MaxValue / 8), Is.False);
        Assert.That(WeightPrecision.Stored.KeepsHalf(1), Is.True);
        Assert.That(WeightPrecisions.Parse("Stored", "env"), Is.EqualTo(WeightPrecision.Stored));
        Assert.That(() => WeightPrecisions.Parse("int8", "RAWEDIT_WEIGHT_PRECISION"),
            Throws.ArgumentException.With.Message.Contains("'int8' is not one of auto, fp32, stored"));
    }
}
