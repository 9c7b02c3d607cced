// GemmDouble against its plain loop (GemmDouble.Reference): C[m, n] = α·op(A)·op(B) + β·C, every element summed from zero
// over p ascending, each product rounded before it is added. The blocked kernel promises the same arithmetic, so the
// comparison is bit for bit (not a tolerance), for each tile (Vector256, Vector128, scalar), over sizes that fill and
// miss the 4 × 8 tile, the 256 × 256 task and the 128-deep slice, all transposes, padded leading dimensions, β = 0 over
// NaN, empty sizes and batch strides.

using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Tensors.Cpu;

[TestFixture(DoubleTilePath.Auto), TestFixture(DoubleTilePath.Vector128), TestFixture(DoubleTilePath.Scalar), NonParallelizable]
internal class GemmDoubleTests(DoubleTilePath path)
{
    private static readonly (bool, bool)[] Transposes = { (false, false), (false, true), (true, false), (true, true) };

    [SetUp] public void UseTile() => GemmDouble.TilePath = path;
    [TearDown] public void Restore() => GemmDouble.TilePath = DoubleTilePath.Auto;

    public static IEnumerable<TestCaseData> Cases()
    {
        int[][] shapes = { [1, 1, 1], [4, 8, 1], [5, 9, 3], [33, 17, 129], [64, 40, 256], [3, 520, 300], [70, 8, 7], [260, 12, 5], [0, 5, 3], [4, 0, 3], [6, 10, 0] };
        foreach (var (ta, tb) in Transposes)
            foreach (var s in shapes)
                yield return new TestCaseData(s[0], s[1], s[2], ta, tb).SetName($"Gemm_{s[0]}x{s[1]}x{s[2]}_tA{ta}_tB{tb}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Equals_the_plain_loop_bit_for_bit(int m, int n, int k, bool transA, bool transB)
    {
        foreach (var (alpha, beta) in new[] { (1.0, 0.0), (0.7, 0.0), (1.3, -0.4) })
        {
            var rng = new Random(m * 7919 + n * 131 + k);
            int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 1;
            int rowsA = transA ? k : m, rowsB = transB ? n : k;
            const int batch = 2;
            long strideA = (long)rowsA * lda + 5, strideB = (long)rowsB * ldb + 1, strideC = (long)m * ldc + 4;
            var a = RandomValues(rng, strideA * batch);
            var b = RandomValues(rng, strideB * batch);
            var c = RandomValues(rng, strideC * batch);
            if (beta == 0) Array.Fill(c, double.NaN);
            var expected = (double[])c.Clone();
            for (int item = 0; item < batch; item++)
                GemmDouble.Reference(transA, transB, m, n, k, alpha, a, lda, item * strideA, b, ldb, item * strideB, beta, expected, ldc, item * strideC);

            GemmDouble.Gemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);

            for (int i = 0; i < c.Length; i++)
                if (BitConverter.DoubleToInt64Bits(c[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
                    Assert.Fail($"α {alpha}, β {beta}: element {i} is {c[i]:R}, the plain loop gives {expected[i]:R}");
        }
    }

    [Test]
    public void The_plain_loop_computes_a_small_product_by_hand()
    {
        // op(A) = [[1, 2], [3, 4]] stored transposed, op(B) = [[5, 6], [7, 8]]; C = 2·AB − 1·C with C = 1s.
        double[] a = [1, 3, 2, 4], b = [5, 6, 7, 8], c = [1, 1, 1, 1];
        GemmDouble.Reference(true, false, 2, 2, 2, 2, a, 2, 0, b, 2, 0, -1, c, 2, 0);
        Assert.That(c, Is.EqualTo(new double[] { 2 * 19 - 1, 2 * 22 - 1, 2 * 43 - 1, 2 * 50 - 1 }));
    }

    [Test]
    public void A_statistics_sized_product_KtK_equals_the_plain_loop()
    {
        // The second-moment statistics' shape: C[f, f] += Kᵀ K over a batch of token keys (f = 600 here, 300 tokens).
        const int f = 600, tokens = 300;
        var rng = new Random(5);
        var keys = RandomValues(rng, (long)tokens * f);
        var sum = RandomValues(rng, (long)f * f);
        var expected = (double[])sum.Clone();
        GemmDouble.Reference(true, false, f, f, tokens, 1, keys, f, 0, keys, f, 0, 1, expected, f, 0);
        GemmDouble.Gemm(true, false, f, f, tokens, 1, keys, f, 0, keys, f, 0, 1, sum, f, 0, 1);
        Assert.That(sum, Is.EqualTo(expected));
    }

    private static double[] RandomValues(Random rng, long length)
    {
        var values = new double[length];
        for (long i = 0; i < length; i++) values[i] = rng.NextDouble() * 2 - 1;
        return values;
    }
}
