// Batched GEMM and thread-count independence.
//
// Shape legend: problem i of a batch is C_i[m, n] = alpha · op(A_i)[m, k] · op(B_i)[k, n] + beta · C_i,
// with A_i = a + i·strideA (likewise B, C); strides may exceed the matrix size (gaps) or be 0 (shared).
// Bit-identity: the same call with ThreadCount 1, 2, 3 and 4 must give the same bits, since threads
// only split m/n (or whole batch entries), never k.

using RawEdit.Tensors.Cpu;
using static RawEdit.Tests.Tensors.Cpu.GemmTestUtil;

namespace RawEdit.Tests.Tensors.Cpu;

[TestFixture(GemmKernelPath.Avx512), TestFixture(GemmKernelPath.Avx2), NonParallelizable]
internal unsafe class CpuGemmThreadingTests(GemmKernelPath path) : GemmSettingsFixture(path)
{
    private static float[] RunWithThreads(int threads, bool ta, bool tb, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c0, int ldc)
    {
        CpuGemm.ThreadCount = threads;
        var c = (float[])c0.Clone();
        Run(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return c;
    }

    // Shapes chosen to hit: the 2-D grid split over n and over m, matrix–vector paths split over
    // outputs, several k blocks, and edge tiles on the split boundaries.
    [TestCase(300, 500, 700)]
    [TestCase(1024, 96, 200)]
    [TestCase(7, 3000, 300)]
    [TestCase(3000, 7, 300)]
    [TestCase(1, 6000, 800)]
    [TestCase(6000, 1, 800)]
    [TestCase(257, 129, 1000)]
    public void BitIdenticalAcrossThreadCounts(int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            int lda = ta ? m : k, ldb = tb ? k : n;
            float[] a = Matrix(rng, ta ? k : m, ta ? m : k, lda);
            float[] b = Matrix(rng, tb ? n : k, tb ? k : n, ldb);
            float[] c0 = Matrix(rng, m, n, n, 0f);
            float[] one = RunWithThreads(1, ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c0, n);
            for (int t = 2; t <= 4; t++)
            {
                float[] many = RunWithThreads(t, ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c0, n);
                Assert.That(BitEqual(one, many), Is.True, $"ThreadCount {t} differs from 1 for {m}x{n}x{k} tA={ta} tB={tb}");
            }
        }
    }

    [Test]
    public void GridFallbackMatchesStripScheme()
    {
        // Forces the fixed-grid scheme (used when the shared packed operand would be huge).
        var rng = new Random(21);
        int m = 200, n = 300, k = 500;
        float[] a = Matrix(rng, m, k, k), b = Matrix(rng, n, k, k), c0 = Matrix(rng, m, n, n, 0f);
        float[] strips = RunWithThreads(2, false, true, m, n, k, 1f, a, k, b, k, 0.5f, c0, n);
        long saved = GemmParallel.MaxSharedFloats;
        try
        {
            GemmParallel.MaxSharedFloats = 0;
            float[] grid = RunWithThreads(2, false, true, m, n, k, 1f, a, k, b, k, 0.5f, c0, n);
            float[] single = RunWithThreads(1, false, true, m, n, k, 1f, a, k, b, k, 0.5f, c0, n);
            Assert.That(BitEqual(strips, grid) && BitEqual(strips, single), Is.True);
        }
        finally
        {
            GemmParallel.MaxSharedFloats = saved;
        }
    }

    [TestCase(12, 64, 64, 64, false, true)]    // attention scores Q·Kᵀ per head
    [TestCase(12, 64, 64, 64, false, false)]   // attention · V
    [TestCase(3, 100, 90, 80, true, false)]    // odd batch, problems big enough to split inside
    [TestCase(5, 1, 50, 40, false, true)]      // batched matrix–vector
    [TestCase(1, 33, 17, 9, true, true)]
    [TestCase(7, 5, 3, 2, false, false)]
    public void BatchedMatchesReferencePerEntry(int batch, int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(batch * 1000 + m);
        int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
        long sizeA = (long)((ta ? k : m) - 1) * lda + (ta ? m : k);
        long sizeB = (long)((tb ? n : k) - 1) * ldb + (tb ? k : n);
        long sizeC = (long)(m - 1) * ldc + n;
        long strideA = sizeA + 5, strideB = sizeB + 1, strideC = sizeC + 4;

        float[] a = Matrix(rng, 1, (int)(strideA * batch), (int)(strideA * batch));
        float[] b = Matrix(rng, 1, (int)(strideB * batch), (int)(strideB * batch));
        float[] c0 = Matrix(rng, 1, (int)(strideC * batch), (int)(strideC * batch));

        float[] expected = (float[])c0.Clone();
        fixed (float* pa = a, pb = b, pe = expected)
            for (int i = 0; i < batch; i++)
                CpuGemm.SgemmReference(ta, tb, m, n, k, 1.5f, pa + i * strideA, lda, pb + i * strideB, ldb, 0.5f, pe + i * strideC, ldc);

        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            CpuGemm.ThreadCount = threads;
            float[] c = (float[])c0.Clone();
            fixed (float* pa = a, pb = b, pc = c)
                CpuGemm.SgemmBatched(ta, tb, m, n, k, 1.5f, pa, lda, strideA, pb, ldb, strideB, 0.5f, pc, ldc, strideC, batch);

            for (int i = 0; i < c.Length; i++)
            {
                double tol = 1e-5 * (1 + Math.Abs(expected[i])) * Math.Sqrt(k) + 1e-6; // k ≤ 80, values ≤ ~10
                Assert.That(Math.Abs((double)c[i] - expected[i]), Is.LessThanOrEqualTo(tol), $"index {i} threads {threads}");
            }
            if (first is null) first = c;
            else Assert.That(BitEqual(first, c), Is.True, $"batched result with {threads} threads differs from 1 thread");
        }
    }

    [Test]
    public void BatchedWithSharedOperand()
    {
        // strideB = 0: every entry multiplies by the same B (e.g. one weight for several inputs).
        var rng = new Random(12);
        int batch = 4, m = 20, n = 24, k = 28;
        float[] a = Matrix(rng, batch * m, k, k), b = Matrix(rng, k, n, n);
        var c = new float[batch * m * n];
        var expected = new float[batch * m * n];
        fixed (float* pa = a, pb = b, pc = c, pe = expected)
        {
            CpuGemm.SgemmBatched(false, false, m, n, k, 1f, pa, k, (long)m * k, pb, n, 0, 0f, pc, n, (long)m * n, batch);
            CpuGemm.SgemmReference(false, false, batch * m, n, k, 1f, pa, k, pb, n, 0f, pe, n);
        }
        for (int i = 0; i < c.Length; i++)
            Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-5f * (1 + Math.Abs(expected[i]))));
    }

    [Test]
    public void ConcurrentCallersGetCorrectResults()
    {
        // The engine may call Sgemm from several threads at once; per-thread buffers must not be shared.
        CpuGemm.ThreadCount = 2;
        var rng = new Random(13);
        int m = 150, n = 170, k = 190;
        float[] a = Matrix(rng, m, k, k), b = Matrix(rng, k, n, n);
        float[] expected = Reference(false, false, m, n, k, 1f, a, k, b, n, 0f, new float[m * n], n);
        Parallel.For(0, 8, _ =>
        {
            var c = new float[m * n];
            for (int rep = 0; rep < 5; rep++)
            {
                Run(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
                for (int i = 0; i < c.Length; i++)
                    if (Math.Abs(c[i] - expected[i]) > 1e-4f * (1 + Math.Abs(expected[i])))
                        throw new AssertionException($"concurrent result wrong at {i}");
            }
        });
    }
}
