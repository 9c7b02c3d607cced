using RawEdit.Tensors;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// The wide cases split across workers in both dtypes, so comparing fp32 with float64 cannot expose a bug in the
/// split itself. Here they meet independent references: sampled central differences for the backward kernels,
/// the same op on small row blocks (which stay on one thread) for the forward kernels, and host loops.
/// </summary>
internal class ParallelPathTests
{
    private const int SamplesPerInput = 10;

    private static IEnumerable<TestCaseData> Wide() => WideCases.All().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Wide))]
    public void SampledGradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c, SamplesPerInput);

    private static readonly Tensor RowBias = Tensor.RandomNormal(1301, 1.0, DType.F64, 37);
    private static readonly Tensor Gamma = Tensor.RandomNormal(1302, 1.0, DType.F64, 37);
    private static readonly Tensor Weight = Tensor.RandomNormal(1303, 1.0, DType.F64, 37, 29);

    private static IEnumerable<TestCaseData> RowWiseOps()
    {
        var ops = new (string Name, Func<Tensor, Tensor> Op)[]
        {
            ("Exp", Ops.Exp), ("GeluNew", Ops.GeluNew), ("Tanh", Ops.Tanh),
            ("Add row bias", x => Ops.Add(x, RowBias)), ("Div by row", x => Ops.Div(x, Ops.AddScalar(Ops.Square(RowBias), 1))),
            ("Mul same shape", x => Ops.Mul(x, Ops.Exp(x))),
            ("Scale", x => Ops.Scale(x, 0.37)),
            ("Softmax", Ops.Softmax), ("LogSoftmax", Ops.LogSoftmax),
            ("LayerNorm", x => Ops.LayerNorm(x, Gamma, RowBias, 1e-5)),
            ("MatMul", x => Ops.MatMul(x, Weight)),
            ("Sum over columns", x => Ops.Sum(x, 1, keepDim: true)),
        };
        return ops.Select(o => new TestCaseData(o.Op).SetArgDisplayNames(o.Name));
    }

    [TestCaseSource(nameof(RowWiseOps))]
    public void WideForwardMatchesRowBlocks(Func<Tensor, Tensor> op)
    {
        // x [2000,37]: large enough to split across workers; blocks of 7 rows are computed on one thread.
        const int rows = 2000, block = 7;
        var x = Tensor.RandomNormal(1304, 1.5, DType.F64, rows, 37);
        var whole = op(x).ToDoubleArray();
        int width = whole.Length / rows;
        for (int r = 0; r < rows; r += block)
        {
            int n = Math.Min(block, rows - r);
            var part = op(Ops.Slice(x, 0, r, n)).ToDoubleArray();
            for (int k = 0; k < part.Length; k++)
            {
                double expected = part[k], actual = whole[r * width + k];
                Assert.That(Math.Abs(actual - expected), Is.LessThanOrEqualTo(1e-13 * (1 + Math.Abs(expected))),
                    $"row {r + k / width}, column {k % width}");
            }
        }
    }

    [Test]
    public void WideAttentionMatchesPerBatchRuns()
    {
        // qkv [4,40,96] with 4 heads: 16 (batch, head) pairs split across workers; one batch alone has 4.
        const int batch = 4, time = 40, width = 96;
        var qkv = Tensor.RandomNormal(1305, 1.0, DType.F64, batch, time, width);
        var mask = Tensor.FromArray(Enumerable.Range(0, batch * time).Select(i => i % time < time - i / time * 5 ? 1.0 : 0.0).ToArray(), batch, time);
        var whole = Ops.CausalSelfAttention(qkv, 4, mask).ToDoubleArray();
        int perBatch = time * width / 3;
        for (int b = 0; b < batch; b++)
        {
            var single = Ops.CausalSelfAttention(Ops.Slice(qkv, 0, b, 1), 4, Ops.Slice(mask, 0, b, 1)).ToDoubleArray();
            Assert.That(whole[(b * perBatch)..((b + 1) * perBatch)], Is.EqualTo(single).Within(1e-13), $"batch {b}");
        }
    }

    [TestCase(new[] { 2, 0, 1 })]
    [TestCase(new[] { 1, 2, 0 })]
    [TestCase(new[] { 0, 2, 1 })]
    public void WidePermuteMatchesHostIndexing(int[] perm)
    {
        int[] shape = [40, 33, 50];
        var x = Tensor.RandomNormal(1306, 1.0, DType.F64, shape);
        Assert.That(Ops.Permute(x, perm).ToDoubleArray(), Is.EqualTo(HostReference.Permute(x.ToDoubleArray(), shape, perm)));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void WideSumMatchesHostLoop(int axis)
    {
        int[] shape = [120, 33, 40];
        var x = Tensor.RandomNormal(1307, 1.0, DType.F64, shape);
        Assert.That(Ops.Sum(x, axis).ToDoubleArray(), Is.EqualTo(HostReference.SumAxis(x.ToDoubleArray(), shape, axis)).Within(1e-11));
    }
}
