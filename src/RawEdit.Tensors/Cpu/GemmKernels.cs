using System.Numerics;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Strided batched GEMM for either element type: float goes to the packed SIMD kernel
/// (<see cref="CpuGemm"/>); double (gradient checks, statistics, solves) to the blocked <see cref="GemmDouble"/>.
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
        GemmDouble.Gemm(transA, transB, m, n, k, alpha, (double[])(object)a, lda, strideA, (double[])(object)b, ldb, strideB,
            beta, (double[])(object)c, ldc, strideC, batch);
    }
}
