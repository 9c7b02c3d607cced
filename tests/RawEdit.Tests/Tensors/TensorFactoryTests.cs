using RawEdit.Tensors;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tests.Tensors;

internal class TensorFactoryTests
{
    private static void Fill(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = i * 0.5f;
    }

    [Test]
    public void FromHost_fills_a_cpu_tensor_in_place()
    {
        var t = Tensor.FromHost([2, 3], Fill);
        Assert.That(t.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(t.DType, Is.EqualTo(DType.F32));
        Assert.That(t.ToFloatArray(), Is.EqualTo(new[] { 0f, 0.5f, 1f, 1.5f, 2f, 2.5f }));
    }

    [Test]
    public void FromHost_allocates_on_the_current_backend()
    {
        var counting = new GemmCountingBackend();
        using (Backends.Use(counting))
        {
            var t = Tensor.FromHost([3], Fill);
            Assert.That(t.Backend, Is.SameAs(counting), "the tensor must live on the current backend");
            Assert.That(t.ToFloatArray(), Is.EqualTo(new[] { 0f, 0.5f, 1f }));
        }
    }
}
