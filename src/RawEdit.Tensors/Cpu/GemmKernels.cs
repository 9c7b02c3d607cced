using System.Numerics;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Strided batched GEMM for either element type: float goes to the packed SIMD kernel
/// (<see cref="CpuGemm"/>); double (gradient checks, statistics, solves) to a cache-friendly i-p-j loop.
/// </summary>
internal static unsafe class GemmKernels
{
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, double alpha,
        T[] a, int lda, long strideA, T[] b, int ldb, long strideB, double beta, T[] c, int ldc, long strideC, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            fixed (T* pa = a, pb = b, pc = c)
                CpuGemm.SgemmBatched(transA, transB, m, n, k, (float)alpha, (float*)pa, lda, strideA,
                    (float*)pb, ldb, strideB, (float)beta, (float*)pc, ldc, strideC, batch);
            return;
        }
        var da = (double[])(object)a; var db = (double[])(object)b; var dc = (double[])(object)c;
        CpuParallel.For(batch * m, (long)n * k, index =>
        {
            int i = index / m, row = index % m;
            DoubleRow(transA, transB, row, n, k, alpha, da, lda, i * strideA, db, ldb, i * strideB, beta, dc, ldc, i * strideC);
        });
    }

    // c[row, :] = alpha·Σ_p op(a)[row, p]·op(b)[p, :] + beta·c[row, :]
    private static void DoubleRow(bool transA, bool transB, int row, int n, int k, double alpha,
        double[] a, int lda, long oa, double[] b, int ldb, long ob, double beta, double[] c, int ldc, long oc)
    {
        var acc = new double[n];
        for (int p = 0; p < k; p++)
        {
            double av = transA ? a[oa + (long)p * lda + row] : a[oa + (long)row * lda + p];
            if (transB)
                for (int j = 0; j < n; j++) acc[j] += av * b[ob + (long)j * ldb + p];
            else
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.AsSpan((int)(ob + (long)p * ldb), n), av, acc, acc);
        }
        long rowStart = oc + (long)row * ldc;
        for (int j = 0; j < n; j++)
            c[rowStart + j] = beta == 0 ? alpha * acc[j] : alpha * acc[j] + beta * c[rowStart + j];
    }
}
