using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>Products for the GEMM kernel tests: shapes with padded leading dimensions, and the CPU backend's result as the expectation.</summary>
internal static class GemmCases
{
    public static float[] Random(long n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, checked((int)n)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A batch of m × k by k × n products with leading dimensions wider than the matrices (the gaps must stay untouched).</summary>
    public static GemmShape Shape(bool transA, bool transB, int m, int n, int k)
    {
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 1;
        return new GemmShape
        {
            TransA = transA ? 1 : 0, TransB = transB ? 1 : 0, M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
            StrideA = (long)(transA ? k : m) * lda, StrideB = (long)(transB ? n : k) * ldb, StrideC = (long)m * ldc,
        };
    }

    public static float[] CpuProduct(GemmShape s, double alpha, float[] a, float[] b, double beta, float[] c, int batch)
    {
        var cpu = Backends.Cpu;
        var (onA, onB, onC) = (cpu.Upload(a), cpu.Upload(b), cpu.Upload(c));
        cpu.Gemm(s.TransA != 0, s.TransB != 0, s.M, s.N, s.K, alpha, onA, s.Lda, s.StrideA, onB, s.Ldb, s.StrideB, beta, onC, s.Ldc, s.StrideC, batch);
        var result = new float[c.Length];
        cpu.Download(onC, result);
        return result;
    }

    /// <summary>Within the tolerance relative to the expected scale; NaN where expected (C's gaps, a C never read) stays NaN.</summary>
    public static void AssertSameProduct(float[] expected, float[] actual, double tolerance)
    {
        double scale = expected.Where(float.IsFinite).Max(v => Math.Abs((double)v));
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) Assert.That(actual[i], Is.NaN, $"element {i} (a gap of C, left as it was)");
            else Assert.That(Math.Abs(actual[i] - (double)expected[i]), Is.LessThanOrEqualTo(tolerance * scale), $"element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    public static double RelativeDifference(float[] expected, float[] actual)
    {
        double scale = expected.Where(float.IsFinite).Max(v => Math.Abs((double)v));
        return expected.Zip(actual, (x, y) => float.IsNaN(x) ? 0 : Math.Abs(x - (double)y)).Max() / scale;
    }
}
