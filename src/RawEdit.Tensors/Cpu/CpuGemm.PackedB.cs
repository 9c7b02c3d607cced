// GEMM with op(B) already packed whole (PackedWeightCache): packing and running against those panels.
//
// Shape legend (row-major, fp32):
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C
//   packed op(B): nPad × k floats in the GemmBlocked shared layout of kernel TK (nPad = ceil(n/NR)·NR):
//   k block pc at + pc·nPad, column jc of that block at + jc·kc.
// Results are bit-identical to Sgemm's: the same kernels over the same k blocks.

using System.Runtime.CompilerServices;

namespace RawEdit.Tensors.Cpu;

internal static unsafe partial class CpuGemm
{
    private static long s_packedWeightCacheBytes = DefaultPackedCacheBytes();

    /// <summary>
    /// Most bytes of packed weight panels kept between products (default: a quarter of the memory available
    /// to the process, at most 4 GiB; environment variable <c>RAWEDIT_PACKED_CACHE_MB</c>). 0 turns the cache off.
    /// </summary>
    public static long PackedWeightCacheBytes
    {
        get => Interlocked.Read(ref s_packedWeightCacheBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Interlocked.Exchange(ref s_packedWeightCacheBytes, value);
        }
    }

    /// <summary>Bytes of packed weight panels held now.</summary>
    public static long PackedWeightCacheUsedBytes => PackedWeightCache.UsedBytes;

    private static long DefaultPackedCacheBytes()
    {
        string? mb = Environment.GetEnvironmentVariable("RAWEDIT_PACKED_CACHE_MB");
        if (!string.IsNullOrWhiteSpace(mb))
        {
            if (!long.TryParse(mb, out long value) || value < 0)
                throw new ArgumentException($"RAWEDIT_PACKED_CACHE_MB='{mb}' is not a non-negative number of MiB.");
            return value << 20;
        }
        return Math.Min(4L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
    }

    internal static long PackedBFloats<TK>(int k, int n) where TK : struct, IGemmKernel =>
        (long)GemmBlocked.PadCols<TK>(n) * k;

    /// <summary>Packs the whole op(B) (k × n) for the kernel of <paramref name="path"/> into dst (64-byte aligned).</summary>
    internal static void PackWholeB(GemmKernelPath path, bool transB, float* b, int ldb, int k, int n, float* dst)
    {
        var g = new GemmProblem { TransB = transB, B = b, Ldb = ldb, K = k, N = n, M = 1 };
        int threads = GemmThreading.UsefulThreads((long)k * n * 64, s_threadCount);
        if (path == GemmKernelPath.Avx512) GemmParallel.PackWholeB<Avx512Kernel>(g, dst, threads);
        else GemmParallel.PackWholeB<Avx2Kernel>(g, dst, threads);
    }

    /// <summary>C = alpha · op(A) · op(B) + beta · C with op(B) packed by <see cref="PackWholeB"/> for the same path, k and n.</summary>
    /// <remarks>transB and ldb describe the operand the panels were packed from; they are only validated.</remarks>
    internal static void SgemmPackedB(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
        float* packedB, int ldb, GemmKernelPath path, float beta, float* c, int ldc)
    {
        Validate(transA, transB, m, n, k, alpha, a, lda, packedB, ldb, c, ldc);
        var g = new GemmProblem
        {
            TransA = transA, M = m, N = n, K = k, Alpha = alpha, Beta = beta, A = a, Lda = lda, C = c, Ldc = ldc,
        };
        int threads = GemmThreading.UsefulThreads((long)m * n * k, s_threadCount);
        if (path == GemmKernelPath.Avx512) RunPackedB<Avx512Kernel>(g, packedB, threads);
        else RunPackedB<Avx2Kernel>(g, packedB, threads);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunPackedB<TK>(in GemmProblem g, float* packedB, int threads) where TK : struct, IGemmKernel
    {
        if (threads == 1) GemmBlocked.Run<TK>(g, 0, g.M, 0, g.N, sharedB: packedB);
        else GemmParallel.Execute<TK>(g, threads, packedB);
    }
}
