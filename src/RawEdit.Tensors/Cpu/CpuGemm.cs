// Public fp32 GEMM entry points of the CPU tensor engine.
//
// Shape legend (row-major, fp32):
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
//   A stored [m, k] with leading dim lda ≥ k,  or (transA) [k, m] with lda ≥ m
//   B stored [k, n] with leading dim ldb ≥ n,  or (transB) [n, k] with ldb ≥ k
//   C stored [m, n] with leading dim ldc ≥ n
//   Batched: problem i uses a + i·strideA, b + i·strideB, c + i·strideC.
//
// beta == 0 overwrites C without reading it (NaN in C does not leak). alpha == 0 or k == 0 gives
// C = beta·C without reading A or B. Results are bit-identical for every ThreadCount.
//
// Dispatch (KernelPath, see GemmKernel.cs): m == 1 or n == 1 → matrix–vector path (GemmSmall);
// otherwise the packed, blocked path (GemmBlocked + GemmPacking) with the 12×32 AVX-512 or the 6×16
// AVX2 micro-kernel, split over threads by GemmParallel / GemmThreading. Without AVX2+FMA (or with
// KernelPath = Reference) the reference loop is used (correct, slow).

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RawEdit.Tensors.Cpu;

[SkipLocalsInit]
internal static unsafe partial class CpuGemm
{
    private static int s_threadCount = Environment.ProcessorCount;

    /// <summary>Maximum number of threads a call may use (default: <see cref="Environment.ProcessorCount"/>; 1 = single-threaded).</summary>
    public static int ThreadCount
    {
        get => s_threadCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_threadCount = value;
        }
    }

    /// <summary>True when the fast kernels can run on this CPU (AVX2 + FMA at least).</summary>
    public static bool IsAccelerated => BestKernelPath != GemmKernelPath.Reference;

    /// <summary>C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C (row-major; beta == 0 overwrites C).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        Validate(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
        var g = Problem(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Execute(g, s_threadCount);
    }

    /// <summary>Strided batch: for i in [0, batch), Sgemm on a + i·strideA, b + i·strideB, c + i·strideC.</summary>
    public static void SgemmBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, long strideA, float* b, int ldb, long strideB, float beta,
        float* c, int ldc, long strideC, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        Validate(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
        if (batch == 0 || m == 0 || n == 0) return;

        var g = Problem(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        int threads = s_threadCount;
        long madds = (long)m * n * k;
        int perProblem = GemmThreading.UsefulThreads(madds, threads);
        int byBatch = Math.Min(batch, GemmThreading.UsefulThreads(madds * batch, threads));

        // Whole entries per thread when that balances well (or a single entry cannot use the threads);
        // either way each element is computed exactly as by Sgemm.
        if (byBatch > 1 && (perProblem < byBatch || batch % byBatch == 0 || batch >= 4 * byBatch))
        {
            var state = new BatchState { G = g, StrideA = strideA, StrideB = strideB, StrideC = strideC, Batch = batch, Parts = byBatch };
            GemmThreading.Run(byBatch, state, &RunBatchPart);
            return;
        }
        for (int i = 0; i < batch; i++)
        {
            GemmProblem gi = g;
            gi.A += i * strideA; gi.B += i * strideB; gi.C += i * strideC;
            Execute(gi, threads);
        }
    }

    private struct BatchState
    {
        public GemmProblem G;
        public long StrideA, StrideB, StrideC;
        public int Batch, Parts;
    }

    private static void RunBatchPart(BatchState s, int part)
    {
        GemmThreading.Range(s.Batch, 1, s.Parts, part, out int begin, out int end);
        for (int i = begin; i < end; i++)
        {
            GemmProblem gi = s.G;
            gi.A += i * s.StrideA; gi.B += i * s.StrideB; gi.C += i * s.StrideC;
            Execute(gi, 1);
        }
    }

    private static GemmProblem Problem(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) => new()
    {
        TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
        A = a, B = b, C = c, Lda = lda, Ldb = ldb, Ldc = ldc,
    };

    /// <summary>One validated problem on up to maxThreads threads.</summary>
    internal static void Execute(in GemmProblem g, int maxThreads)
    {
        if (g.M == 0 || g.N == 0) return;
        if (g.K == 0 || g.Alpha == 0f)
        {
            ScaleC(g);
            return;
        }
        GemmKernelPath path = s_kernelPath;
        if (path == GemmKernelPath.Reference)
        {
            ReferenceCore(g);
            return;
        }
        if (g.M == 1 || g.N == 1)
        {
            GemmSmall.Run(g, maxThreads);
            return;
        }

        int threads = GemmThreading.UsefulThreads((long)g.M * g.N * g.K, maxThreads);
        if (path == GemmKernelPath.Avx512) ExecutePacked<Avx512Kernel>(g, threads);
        else ExecutePacked<Avx2Kernel>(g, threads);
    }

    private static void ExecutePacked<TK>(in GemmProblem g, int threads) where TK : struct, IGemmKernel
    {
        if (threads == 1) GemmBlocked.Run<TK>(g, 0, g.M, 0, g.N);
        else GemmParallel.Execute<TK>(g, threads);
    }

    /// <summary>C = beta · C (zero when beta == 0, whatever C held).</summary>
    private static void ScaleC(in GemmProblem g)
    {
        if (g.Beta == 1f) return;
        for (int i = 0; i < g.M; i++)
        {
            var row = new Span<float>(g.C + i * g.Ldc, g.N);
            if (g.Beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, g.Beta, row);
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (lda < Math.Max(1, transA ? m : k)) throw new ArgumentOutOfRangeException(nameof(lda), lda, "lda is smaller than the stored row width of A.");
        if (ldb < Math.Max(1, transB ? k : n)) throw new ArgumentOutOfRangeException(nameof(ldb), ldb, "ldb is smaller than the stored row width of B.");
        if (ldc < Math.Max(1, n)) throw new ArgumentOutOfRangeException(nameof(ldc), ldc, "ldc is smaller than n.");
        if (m > 0 && n > 0)
        {
            if (c == null) throw new ArgumentNullException(nameof(c));
            if (k > 0 && alpha != 0f && (a == null || b == null)) throw new ArgumentNullException(a == null ? nameof(a) : nameof(b));
        }
    }
}
