// Correctness of CpuGemm.Sgemm against CpuGemm.SgemmReference.
//
// Shape legend: C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C (row-major, strided).
// Covered: edge sizes (1, 3, 7, 17, 31, 33, 65, 129, 257 …) in every transpose combination,
// leading dimensions wider than the matrix (padding is NaN in A/B and must stay untouched in C),
// alpha/beta variants, beta == 0 over NaN, alpha == 0 / k == 0, the matrix–vector paths, several
// k blocks, argument validation and the span overloads. Tolerance: see GemmTestUtil.

using RawEdit.Tensors.Cpu;
using static RawEdit.Tests.Tensors.Cpu.GemmTestUtil;

namespace RawEdit.Tests.Tensors.Cpu;

[TestFixture(GemmKernelPath.Avx512), TestFixture(GemmKernelPath.Avx2), NonParallelizable]
internal unsafe class CpuGemmTests(GemmKernelPath path) : GemmSettingsFixture(path)
{
    private static readonly int[] EdgeSizes = { 1, 2, 3, 7, 16, 17, 31, 33, 65, 129, 257 };
    private static readonly (bool, bool)[] Combos = { (false, false), (false, true), (true, false), (true, true) };

    public static IEnumerable<TestCaseData> CubeCases()
    {
        foreach (var (ta, tb) in Combos)
            foreach (int s in EdgeSizes)
                yield return new TestCaseData(s, s, s, ta, tb).SetName($"Cube_{s}_tA{ta}_tB{tb}");
    }

    public static IEnumerable<TestCaseData> RandomShapeCases()
    {
        var rng = new Random(20240611);
        foreach (var (ta, tb) in Combos)
            for (int t = 0; t < 16; t++)
            {
                int m = EdgeSizes[rng.Next(EdgeSizes.Length)];
                int n = EdgeSizes[rng.Next(EdgeSizes.Length)];
                int k = EdgeSizes[rng.Next(EdgeSizes.Length)];
                yield return new TestCaseData(m, n, k, ta, tb).SetName($"Shape_{m}x{n}x{k}_tA{ta}_tB{tb}");
            }
    }

    [TestCaseSource(nameof(CubeCases))]
    [TestCaseSource(nameof(RandomShapeCases))]
    public void MatchesReference(int m, int n, int k, bool transA, bool transB)
    {
        var rng = new Random(m * 7919 + n * 104729 + k * 31 + (transA ? 1 : 0) + (transB ? 2 : 0));
        Check(rng, transA, transB, m, n, k, 1f, 0f);
    }

    [TestCase(false, false), TestCase(false, true), TestCase(true, false), TestCase(true, true)]
    public void LeadingDimensionsWiderThanMatrix(bool transA, bool transB)
    {
        var rng = new Random(5);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (5, 19, 3), (37, 45, 53), (70, 33, 129), (1, 40, 30), (40, 1, 30) })
            Check(rng, transA, transB, m, n, k, 1.25f, 0.5f, padA: 3, padB: 11, padC: 5);
    }

    [TestCase(1f, 0f), TestCase(0.5f, 0f), TestCase(1f, 1f), TestCase(-1.5f, 0.25f), TestCase(2f, -1f), TestCase(0f, 2f), TestCase(0f, 0f)]
    public void AlphaBetaVariants(float alpha, float beta)
    {
        var rng = new Random(11);
        foreach (var (ta, tb) in Combos)
            foreach (var (m, n, k) in new[] { (37, 45, 53), (6, 16, 8), (1, 33, 17), (33, 1, 17), (100, 70, 900) })
                Check(rng, ta, tb, m, n, k, alpha, beta, padC: 2);
    }

    [Test]
    public void SeveralKBlocksWithBeta([Values(1000, 2048)] int k)
    {
        var rng = new Random(k);
        Check(rng, false, false, 23, 41, k, 0.75f, -0.5f);
        Check(rng, true, true, 23, 41, k, 1f, 0f);
    }

    [Test]
    public void MatrixVectorPaths([Values(1, 8, 63, 64, 65, 200, 1000)] int len, [Values(1, 5, 33, 300)] int k)
    {
        var rng = new Random(len * 1000 + k);
        foreach (var (ta, tb) in Combos)
        {
            Check(rng, ta, tb, 1, len, k, 1f, 0f);          // row vector times matrix
            Check(rng, ta, tb, len, 1, k, 0.5f, 2f, padC: 3); // matrix times column vector, strided output
        }
    }

    [Test]
    public void BetaZeroIgnoresNaNInC([Values(1, 2)] int threads)
    {
        CpuGemm.ThreadCount = threads;
        var rng = new Random(3);
        foreach (var (ta, tb) in Combos)
            foreach (var (m, n, k) in new[] { (50, 60, 70), (300, 200, 100), (1, 60, 70), (60, 1, 70), (5, 7, 0), (9, 9, 9) })
            {
                float[] a = Matrix(rng, ta ? k : m, ta ? m : k, ta ? m : k);
                float[] b = Matrix(rng, tb ? n : k, tb ? k : n, tb ? k : n);
                var c = new float[m * n];
                Array.Fill(c, float.NaN);
                Run(ta, tb, m, n, k, 1f, a, Math.Max(1, ta ? m : k), b, Math.Max(1, tb ? k : n), 0f, c, n);
                Assert.That(c.All(float.IsFinite), Is.True, $"NaN leaked for {m}x{n}x{k} tA={ta} tB={tb}");
                if (k == 0) Assert.That(c.All(v => v == 0f), Is.True);
            }
    }

    [Test]
    public void AlphaZeroDoesNotReadAOrB()
    {
        var rng = new Random(4);
        int m = 20, n = 30, k = 40;
        var a = new float[m * k];
        var b = new float[k * n];
        Array.Fill(a, float.NaN);
        Array.Fill(b, float.PositiveInfinity);
        float[] c = Matrix(rng, m, n, n)[..(m * n)];
        float[] expected = c.Select(v => 3f * v).ToArray();
        Run(false, false, m, n, k, 0f, a, k, b, n, 3f, c, n);
        Assert.That(c, Is.EqualTo(expected));
        Run(false, false, m, n, k, 0f, a, k, b, n, 0f, c, n);
        Assert.That(c.All(v => v == 0f), Is.True);
    }

    [Test]
    public void EmptyDimensionsAreNoOps()
    {
        var c = new float[] { 1, 2, 3 };
        var a = new float[4];
        fixed (float* pa = a, pc = c)
        {
            CpuGemm.Sgemm(false, false, 0, 3, 4, 1f, pa, 4, pa, 3, 0f, pc, 3);
            CpuGemm.Sgemm(false, false, 3, 0, 4, 1f, pa, 4, pa, 1, 0f, pc, 1);
        }
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3 }));
    }

    [Test]
    public void InvalidArgumentsThrow()
    {
        var a = new float[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => { fixed (float* p = a) CpuGemm.Sgemm(false, false, -1, 2, 2, 1f, p, 2, p, 2, 0f, p, 2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { fixed (float* p = a) CpuGemm.Sgemm(false, false, 2, 2, 4, 1f, p, 3, p, 2, 0f, p, 2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { fixed (float* p = a) CpuGemm.Sgemm(true, false, 4, 2, 2, 1f, p, 3, p, 2, 0f, p, 2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { fixed (float* p = a) CpuGemm.Sgemm(false, true, 2, 2, 4, 1f, p, 4, p, 3, 0f, p, 2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { fixed (float* p = a) CpuGemm.Sgemm(false, false, 2, 5, 2, 1f, p, 2, p, 5, 0f, p, 4); });
        Assert.Throws<ArgumentNullException>(() => { fixed (float* p = a) CpuGemm.Sgemm(false, false, 2, 2, 2, 1f, null, 2, p, 2, 0f, p, 2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGemm.ThreadCount = 0);
        Assert.Throws<ArgumentException>(() => CpuGemm.Sgemm(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Throws<ArgumentException>(() => CpuGemm.Sgemm(false, false, 4, 4, 4, 1f, new float[16], new float[16], 0f, new float[12]));
    }

    [Test]
    public void SpanAndArrayOverloadsMatchPointerApi()
    {
        var rng = new Random(8);
        int m = 13, n = 29, k = 41;
        float[] a = Matrix(rng, k, m, m), b = Matrix(rng, n, k, k), c0 = Matrix(rng, m, n, n);
        float[] viaPointer = (float[])c0.Clone(), viaSpan = (float[])c0.Clone(), viaArray = c0[..(m * n)];
        Run(true, true, m, n, k, 0.5f, a, m, b, k, 1.5f, viaPointer, n);
        CpuGemm.Sgemm(true, true, m, n, k, 0.5f, a.AsSpan(0, k * m), m, b.AsSpan(0, n * k), k, 1.5f, viaSpan.AsSpan(0, m * n), n);
        CpuGemm.Sgemm(true, true, m, n, k, 0.5f, a[..(k * m)], b[..(n * k)], 1.5f, viaArray);
        Assert.That(BitEqual(viaPointer, viaSpan), Is.True);
        Assert.That(BitEqual(viaArray, viaPointer[..(m * n)]), Is.True);
    }

    [Test]
    public void MisalignedPointers()
    {
        var rng = new Random(9);
        int m = 45, n = 70, k = 33;
        float[] a = Matrix(rng, m + 1, k, k), b = Matrix(rng, k + 1, n, n), c = Matrix(rng, m + 1, n, n, 0f);
        float[] expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = c, pe = expected)
        {
            // Offsets of 1, 2 and 3 floats: nothing is 32-byte aligned.
            CpuGemm.SgemmReference(false, false, m, n, k, 1f, pa + 1, k, pb + 2, n, 0.5f, pe + 3, n);
            CpuGemm.Sgemm(false, false, m, n, k, 1f, pa + 1, k, pb + 2, n, 0.5f, pc + 3, n);
        }
        for (int i = 0; i < c.Length; i++)
            Assert.That(c[i], Is.EqualTo(expected[i]).Within(1e-4f * (1 + Math.Abs(expected[i]))), $"index {i}");
    }
}
