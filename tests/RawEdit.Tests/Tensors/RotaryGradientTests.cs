using System.Numerics;
using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>Rotary position embedding (GPT-J rotate-every-two layout), full and partial rotary width.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class RotaryGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases()
    {
        // x [B,T,C]: (heads, head_dim, rotary_dim) covering full rotation, partial rotation and a single pair.
        foreach (var (heads, headDim, rotaryDim) in new[] { (1, 4, 4), (2, 6, 4), (3, 4, 2), (2, 8, 8) })
        {
            int c = heads * headDim;
            yield return new OpCase($"RotaryEmbedding B2 T5 H{heads} D{headDim} R{rotaryDim}",
                () => [Normal("x", 400 + c + rotaryDim, [2, 5, c])],
                t => Ops.RotaryEmbedding(t[0], heads, rotaryDim));
        }
    }

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    [Test]
    public void Each_pair_is_multiplied_by_the_unit_complex_number_of_its_angle()
    {
        // Independent statement of the layout: pair (2i, 2i+1) as x[2i] + i·x[2i+1], times e^{iθ}, θ = t/10000^(2i/R).
        const int T = 7, heads = 2, headDim = 6, rotaryDim = 4;
        var x = Tensor.RandomNormal(411, 1.0, DType.F64, 1, T, heads * headDim);
        var y = Ops.RotaryEmbedding(x, heads, rotaryDim).ToDoubleArray();
        var xs = x.ToDoubleArray();
        for (int t = 0; t < T; t++)
            for (int h = 0; h < heads; h++)
            {
                int head = t * heads * headDim + h * headDim;
                for (int i = 0; i < rotaryDim / 2; i++)
                {
                    var expected = new Complex(xs[head + 2 * i], xs[head + 2 * i + 1]) *
                                   Complex.FromPolarCoordinates(1, t / Math.Pow(10000, 2.0 * i / rotaryDim));
                    Assert.That(y[head + 2 * i], Is.EqualTo(expected.Real).Within(1e-12), $"t {t} h {h} pair {i}");
                    Assert.That(y[head + 2 * i + 1], Is.EqualTo(expected.Imaginary).Within(1e-12), $"t {t} h {h} pair {i}");
                }
                for (int j = rotaryDim; j < headDim; j++)
                    Assert.That(y[head + j], Is.EqualTo(xs[head + j]), "channels past rotary_dim pass through");
            }
    }

    [Test]
    public void Rotating_queries_and_keys_makes_their_dot_product_depend_on_the_offset_only()
    {
        // The property RoPE exists for: ⟨R_m q, R_n k⟩ depends on m − n. Same q, k at every position.
        const int T = 6, d = 8;
        var q = Tensor.RandomNormal(412, 1.0, DType.F64, d).ToDoubleArray();
        var k = Tensor.RandomNormal(413, 1.0, DType.F64, d).ToDoubleArray();
        double[] Repeat(double[] v) => Enumerable.Range(0, T).SelectMany(_ => v).ToArray();
        var rq = Ops.RotaryEmbedding(Tensor.FromArray(Repeat(q), 1, T, d), 1, d).ToDoubleArray();
        var rk = Ops.RotaryEmbedding(Tensor.FromArray(Repeat(k), 1, T, d), 1, d).ToDoubleArray();
        double Dot(int m, int n) => Enumerable.Range(0, d).Sum(j => rq[m * d + j] * rk[n * d + j]);
        Assert.That(Dot(4, 2), Is.EqualTo(Dot(2, 0)).Within(1e-12));
        Assert.That(Dot(5, 1), Is.EqualTo(Dot(4, 0)).Within(1e-12));
        Assert.That(Dot(3, 3), Is.Not.EqualTo(Dot(3, 0)).Within(1e-6), "different offsets must give different products");
    }

    [Test]
    public void Bad_shapes_and_widths_are_refused()
    {
        var x = Tensor.Zeros(DType.F64, 1, 2, 12);
        Assert.Throws<ArgumentException>(() => Ops.RotaryEmbedding(x, 5, 2));                        // 12 not divisible by 5
        Assert.Throws<ArgumentException>(() => Ops.RotaryEmbedding(x, 2, 8));                        // rotary_dim > head_dim 6
        Assert.Throws<ArgumentException>(() => Ops.RotaryEmbedding(x, 2, 3));                        // odd
        Assert.Throws<ArgumentException>(() => Ops.RotaryEmbedding(Tensor.Zeros(DType.F64, 2, 12), 2, 2)); // not rank 3
    }
}
