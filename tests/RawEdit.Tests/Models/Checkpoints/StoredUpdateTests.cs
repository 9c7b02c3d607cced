using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Models.Checkpoints;

[TestFixture]
internal class StoredUpdateTests
{
    [Test]
    public void An_update_below_half_a_bf16_step_is_lost_entirely_and_f16_keeps_most_of_it()
    {
        // Near 1.0 BF16 values are 2⁻⁷ apart and F16 values 2⁻¹⁰: +1e-3 is under half a BF16 step, about one F16 step.
        float[] pristine = [1f, 1f, -1f, 1f], current = [1.001f, 1f, -1.001f, 1f];
        var bf16 = StoredUpdate.Measure("w", pristine, current, TensorDType.BF16);
        Assert.That(bf16.StoredUpdateNorm, Is.Zero);
        Assert.That(bf16.RelativeError, Is.EqualTo(1).Within(1e-12));
        Assert.That(bf16.Cosine, Is.Zero);
        Assert.That(bf16.LosesUpdate, Is.True);

        var f16 = StoredUpdate.Measure("w", pristine, current, TensorDType.F16);
        // 1.001 rounds to 1 + 2⁻¹⁰ = 1.0009765625: the stored update is 9.765625e-4 per changed entry.
        Assert.That(f16.StoredUpdateNorm, Is.EqualTo(Math.Sqrt(2) * 0.0009765625).Within(1e-12));
        Assert.That(f16.RelativeError, Is.EqualTo((0.001 - 0.0009765625) / 0.001).Within(1e-4));
        Assert.That(f16.LosesUpdate, Is.True, "2.3% of the update is rounded away");
    }

    [Test]
    public void F32_keeps_any_update_and_an_unchanged_weight_reports_no_loss()
    {
        float[] pristine = [0.5f, -2f, 3f], current = [0.5001f, -2f, 3.25f];
        var f32 = StoredUpdate.Measure("w", pristine, current, TensorDType.F32);
        Assert.That(f32.RelativeError, Is.Zero);
        Assert.That(f32.Cosine, Is.EqualTo(1).Within(1e-12));
        Assert.That(f32.StoredUpdateNorm, Is.EqualTo(f32.UpdateNorm));

        var unchanged = StoredUpdate.Measure("w", pristine, pristine, TensorDType.BF16);
        Assert.That((unchanged.UpdateNorm, unchanged.RelativeError, unchanged.Cosine, unchanged.LosesUpdate), Is.EqualTo((0.0, 0.0, 1.0, false)));
    }

    [Test]
    public void Mismatched_lengths_are_refused() =>
        Assert.That(() => StoredUpdate.Measure("w", new float[3], new float[4], TensorDType.F16), Throws.ArgumentException.With.Message.Contains("'w'"));

    [TestCase("same", null, TensorDType.F32)]
    [TestCase("same", TensorDType.BF16, TensorDType.BF16)]
    [TestCase("same", TensorDType.F64, TensorDType.F32)]
    [TestCase("F32", TensorDType.BF16, TensorDType.F32)]
    [TestCase("bf16", TensorDType.F16, TensorDType.BF16)]
    [TestCase("fp16", TensorDType.F32, TensorDType.F16)]
    public void Save_dtypes_resolve_per_tensor(string option, TensorDType? loaded, TensorDType stored) =>
        Assert.That(SaveDTypes.Parse(option).StorageFor(loaded), Is.EqualTo(stored));

    [Test]
    public void An_unknown_save_dtype_names_the_choices() =>
        Assert.That(() => SaveDTypes.Parse("f8"), Throws.ArgumentException.With.Message.Contains(SaveDTypes.Choices));
}
