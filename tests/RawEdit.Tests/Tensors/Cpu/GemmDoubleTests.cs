// GemmDouble against the plain float64 loop it replaced: C[m, n] = α·op(A)·op(B) + β·C, every element summed from zero
// over p ascending, each product rounded before it is added. The blocked kernel promises the same arithmetic, so the
// comparison is bit for bit (not a tolerance), over sizes that fill and miss the 4 × 8 tile, the 32-row block and the
// 128-deep block, all transposes, padded leading dimensions, β = 0 over NaN, and batch strides.

using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Tensors.Cpu;

internal class GemmDoubleTests
{
    private static readonly (bool, bool)[] Transposes = { (false, false), (false, true), (true, false), (true, true) };

    public static IEnumerable<TestCaseData> Cases()
    {
        int[][] shapes = { [1, 1, 1], [4, 8, 1], [5, 9, 3], [33, 17, 129], [64, 40, 256], [3, 100, 300], [70, 8, 7] };
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
            var a = Random(rng, strideA * batch);
            var b = Random(rng, strideB * batch);
            var c = Random(rng, strideC * batch);
            if (beta == 0) Array.Fill(c, double.NaN);
            var expected = (double[])c.Clone();
            for (int item = 0; item < batch; item++)
                PlainLoop(transA, transB, m, n, k, alpha, a, lda, item * strideA, b, ldb, item * strideB, beta, expected, ldc, item * strideC);

            GemmDouble.Gemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);

            for (int i = 0; i < c.Length; i++)
                if (BitConverter.DoubleToInt64Bits(c[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
                    Assert.Fail($"α {alpha}, β {beta}: element {i} is {c[i]:R}, the plain loop gives {expected[i]:R}");
        }
    }

    [Test]
    public void A_statistics_sized_product_KtK_equals_the_plain_loop()
    {
        // The second-moment statistics' shape: C[f, f] += Kᵀ K over a batch of token keys (f = 96 here, 600 tokens).
        const int f = 96, tokens = 600;
        var rng = new Random(5);
        var keys = Random(rng, (long)tokens * f);
        var sum = Random(rng, (long)f * f);
        var expected = (double[])sum.Clone();
        PlainLoop(true, false, f, f, tokens, 1, keys, f, 0, keys, f, 0, 1, expected, f, 0);
        GemmDouble.Gemm(true, false, f, f, tokens, 1, keys, f, 0, keys, f, 0, 1, sum, f, 0, 1);
        Assert.That(sum, Is.EqualTo(expected));
    }

    private static double[] Random(Random rng, long length)
    {
        var values = new double[length];
        for (long i = 0; i < length; i++) values[i] = rng.NextDouble() * 2 - 1;
        return values;
    }

    private static void PlainLoop(bool transA, bool transB, int m, int n, int k, double alpha, double[] a, int lda, long oa,
        double[] b, int ldb, long ob, double beta, double[] c, int ldc, long oc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double product = (transA ? a[oa + (long)p * lda + i] : a[oa + (long)i * lda + p]) *
                                     (transB ? b[ob + (long)j * ldb + p] : b[ob + (long)p * ldb + j]);
                    sum += product;
                }
                long at = oc + (long)i * ldc + j;
                c[at] = beta == 0 ? alpha * sum : alpha * sum + beta * c[at];
            }
    }
}
