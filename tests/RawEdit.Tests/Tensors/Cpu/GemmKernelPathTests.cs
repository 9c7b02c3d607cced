// The GEMM kernel paths (12×32 AVX-512, 6×16 AVX2): both run in every test run where the CPU allows
// (CpuGemmTests and CpuGemmThreadingTests are fixtures per path), and here they must agree bit for bit,
// since both keep one in-order FMA chain per element over the same k blocks.
//
// Shape legend: C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C (row-major, strided).

using RawEdit.Tensors.Cpu;
using static RawEdit.Tests.Tensors.Cpu.GemmTestUtil;

namespace RawEdit.Tests.Tensors.Cpu;

/// <summary>
/// Restores CpuGemm's thread count and kernel path after each test; with a path given, selects it before
/// each test, or skips the test (saying why) where the CPU lacks it.
/// </summary>
internal abstract class GemmSettingsFixture(GemmKernelPath? path = null)
{
    private int _savedThreads;
    private GemmKernelPath _savedPath;

    [SetUp]
    public void SaveAndSelect()
    {
        _savedThreads = CpuGemm.ThreadCount;
        _savedPath = CpuGemm.KernelPath;
        if (path is not { } selected) return;
        if (!CpuGemm.IsSupported(selected))
            Assert.Ignore($"GEMM path {selected} not available on this CPU (best: {CpuGemm.BestKernelPath}).");
        CpuGemm.KernelPath = selected;
        TestContext.Progress.WriteLine($"GEMM kernel path {selected} (CPU best {CpuGemm.BestKernelPath})");
    }

    [TearDown]
    public void Restore()
    {
        CpuGemm.ThreadCount = _savedThreads;
        CpuGemm.KernelPath = _savedPath;
    }
}

[TestFixture, NonParallelizable]
internal unsafe class GemmKernelPathTests() : GemmSettingsFixture
{
    [Test]
    public void ReportsThePathsThisMachineRuns()
    {
        var paths = Enum.GetValues<GemmKernelPath>().Where(CpuGemm.IsSupported).ToArray();
        TestContext.Progress.WriteLine($"GEMM kernel paths run here: {string.Join(", ", paths)}; default {CpuGemm.KernelPath}");
        Assert.That(paths, Does.Contain(GemmKernelPath.Reference));
        Assert.That(CpuGemm.IsSupported(CpuGemm.BestKernelPath), Is.True);
    }

    [Test]
    public void UnsupportedPathIsRefusedWithItsName()
    {
        if (CpuGemm.BestKernelPath == GemmKernelPath.Avx512) Assert.Ignore("every path is supported on this CPU");
        var e = Assert.Throws<PlatformNotSupportedException>(() => CpuGemm.KernelPath = GemmKernelPath.Avx512);
        Assert.That(e!.Message, Does.Contain("Avx512"));
    }

    // Edge tiles in both directions for both tile sizes (6×16, 12×32), several k blocks (k > 384), all
    // transposes, alpha/beta forms, and the threaded schemes (shared packed A, shared packed B, grid).
    [TestCase(false, false, 37, 45, 53, 1f, 0f, 1)]
    [TestCase(false, true, 25, 70, 129, 1f, 0f, 1)]
    [TestCase(true, false, 61, 33, 400, -1.5f, 0.25f, 1)]
    [TestCase(true, true, 13, 97, 800, 2f, 1f, 1)]
    [TestCase(false, false, 300, 500, 700, 1f, 0f, 2)]
    [TestCase(false, true, 257, 129, 1000, 0.5f, -1f, 2)]
    [TestCase(true, false, 1024, 96, 200, 1f, 1f, 2)]
    [TestCase(false, false, 64, 64, 64, 1f, 0f, 3)]
    // Last row panel of exactly 4 or 8 rows (m = 64, 32, 44): the AVX-512 kernel's 4- and 8-row variants.
    [TestCase(false, false, 64, 96, 200, 1f, 0f, 1)]
    [TestCase(false, true, 32, 70, 129, 1f, 1f, 2)]
    [TestCase(true, false, 44, 64, 50, -1f, 0.5f, 1)]
    public void Avx512AndAvx2GiveTheSameBits(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int threads)
    {
        if (!CpuGemm.IsSupported(GemmKernelPath.Avx512)) Assert.Ignore("AVX-512 not available on this CPU");
        var rng = new Random(m * 31 + n * 17 + k);
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2;
        float[] a = Matrix(rng, transA ? k : m, transA ? m : k, lda);
        float[] b = Matrix(rng, transB ? n : k, transB ? k : n, ldb);
        float[] c0 = Matrix(rng, m, n, ldc, poison: 7f);
        CpuGemm.ThreadCount = threads;

        float[] RunOn(GemmKernelPath path)
        {
            CpuGemm.KernelPath = path;
            var c = (float[])c0.Clone();
            Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return c;
        }

        float[] wide = RunOn(GemmKernelPath.Avx512), narrow = RunOn(GemmKernelPath.Avx2);
        Assert.That(BitEqual(wide, narrow), Is.True, "the AVX-512 and AVX2 kernels differ");
        var expected = Reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, (float[])c0.Clone(), ldc);
        AssertClose(expected, wide, Tolerance(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc), m, n, ldc, "AVX-512 vs reference");
    }
}
