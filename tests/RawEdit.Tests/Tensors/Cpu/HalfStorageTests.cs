using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Tensors.Cpu;

/// <summary>
/// Storage-only F16/BF16 weights: products and gathers widen them exactly, so they give bit for bit what the widened
/// fp32 weight gives; every other kernel refuses them by name; promotion makes them ordinary fp32 tensors.
/// </summary>
[TestFixture]
internal class HalfStorageTests
{
    private static Tensor Random(int seed, params int[] shape) => Tensor.RandomNormal(seed, 1.0, DType.F32, shape);

    // The half tensor and the fp32 tensor holding exactly its values.
    private static (Tensor Half, Tensor Widened) HalfAndWidened(DType kind, int seed, params int[] shape)
    {
        var half = Random(seed, shape).To(kind);
        return (half, Tensor.FromArray(half.ToFloatArray(), shape));
    }

    [TestCase(DType.F16, false)]
    [TestCase(DType.F16, true)]
    [TestCase(DType.BF16, false)]
    [TestCase(DType.BF16, true)]
    public void A_product_with_a_half_weight_equals_the_product_with_its_widened_values(DType kind, bool outByIn)
    {
        var x = Random(1, 3, 5, 24);
        var (half, widened) = HalfAndWidened(kind, 2, outByIn ? [40, 24] : [24, 40]);
        Assert.That(half.DType, Is.EqualTo(kind));
        Assert.That(half.Storage, Is.InstanceOf<CpuHalfStorage>());
        var y = Ops.Linear(x, half, null, outByIn);
        Assert.That(y.DType, Is.EqualTo(DType.F32));
        Assert.That(y.ToFloatArray(), Is.EqualTo(Ops.Linear(x, widened, null, outByIn).ToFloatArray()));
    }

    [Test]
    public void Gradients_flow_through_a_half_weight_to_the_input_and_equal_the_widened_ones()
    {
        var (half, widened) = HalfAndWidened(DType.BF16, 3, 16, 24);
        float[] InputGradient(Tensor weight)
        {
            var x = Random(4, 6, 24);
            x.RequiresGrad = true;
            using var tape = new Tape();
            tape.Backward(Ops.Sum(Ops.Tanh(Ops.Linear(x, weight, null, weightIsOutByIn: true))));
            return x.Grad!.ToFloatArray();
        }
        Assert.That(InputGradient(half), Is.EqualTo(InputGradient(widened)));
    }

    [Test]
    public void An_embedding_lookup_on_a_half_table_widens_the_picked_rows()
    {
        var (half, widened) = HalfAndWidened(DType.F16, 5, 50, 12);
        int[] ids = [7, 0, 49, 7];
        Assert.That(Ops.Embedding(half, ids, 2, 2).ToFloatArray(), Is.EqualTo(Ops.Embedding(widened, ids, 2, 2).ToFloatArray()));
        Assert.That(() => Ops.GatherRows(half, [50]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("outside [0, 50)"));
    }

    [Test]
    public void Other_kernels_refuse_a_half_tensor_by_name_and_gradients_cannot_be_asked_of_one()
    {
        var half = Random(6, 4, 4).To(DType.BF16);
        Assert.That(() => Ops.Add(half, half), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("BF16 weight is storage only"));
        Assert.That(() => Ops.Tanh(half), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("PromoteToF32"));
        Assert.That(() => half.RequiresGrad = true, Throws.InvalidOperationException.With.Message.Contains("storage only"));
    }

    [Test]
    public void Promotion_turns_a_half_tensor_into_an_ordinary_fp32_one_with_the_same_values()
    {
        var (half, widened) = HalfAndWidened(DType.F16, 7, 8, 8);
        var view = half.Detach();
        half.PromoteToF32();
        Assert.That(half.DType, Is.EqualTo(DType.F32));
        Assert.That(half.ToFloatArray(), Is.EqualTo(widened.ToFloatArray()));
        Assert.That(Ops.Add(half, half).ToFloatArray(), Is.EqualTo(Ops.Add(widened, widened).ToFloatArray()));
        Assert.That(view.DType, Is.EqualTo(DType.F16), "views taken before promotion keep the half storage");
        Assert.That(half.Clone().DType, Is.EqualTo(DType.F32));
    }

    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    public void Converting_to_half_and_back_is_exact_for_values_that_came_from_half(DType kind)
    {
        var once = Random(8, 1000).To(kind);
        var twice = once.To(DType.F32).To(kind);
        Assert.That(twice.ToFloatArray(), Is.EqualTo(once.ToFloatArray()));
        Assert.That(once.Clone().ToFloatArray(), Is.EqualTo(once.ToFloatArray()));
        Assert.That(once.To(DType.F64).ToDoubleArray(), Is.EqualTo(once.ToFloatArray().Select(v => (double)v)));
    }
}
