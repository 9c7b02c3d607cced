// Scalar reference GEMM and span/array convenience overloads.
//
// Shape legend (row-major, fp32): same as CpuGemm.cs —
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
//   A: [m, k] (lda) or transA [k, m];  B: [k, n] (ldb) or transB [n, k];  C: [m, n] (ldc)
//
// The reference is the plain triple loop. It accumulates Σ_p op(A)[i,p]·op(B)[p,j] in float64 (the
// products of two floats are exact in double), then forms alpha·sum + beta·c in float64 and rounds
// once to float. It follows the same beta == 0 / alpha == 0 / k == 0 rules as Sgemm.

namespace RawEdit.Tensors.Cpu;

internal static unsafe partial class CpuGemm
{
    /// <summary>Plain scalar triple-loop GEMM (float64 accumulation), same contract as <see cref="Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>.</summary>
    public static void SgemmReference(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        Validate(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
        ReferenceCore(Problem(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
    }

    internal static void ReferenceCore(in GemmProblem g)
    {
        bool skipProduct = g.K == 0 || g.Alpha == 0f;
        for (int i = 0; i < g.M; i++)
        {
            for (int j = 0; j < g.N; j++)
            {
                double sum = 0;
                if (!skipProduct)
                {
                    for (int p = 0; p < g.K; p++)
                    {
                        float av = g.TransA ? g.A[p * g.Lda + i] : g.A[i * g.Lda + p];
                        float bv = g.TransB ? g.B[j * g.Ldb + p] : g.B[p * g.Ldb + j];
                        sum += (double)av * bv;
                    }
                }
                float* cij = g.C + i * g.Ldc + j;
                double scaled = skipProduct ? 0.0 : g.Alpha * sum;
                *cij = g.Beta == 0f ? (float)scaled : (float)(scaled + (double)g.Beta * *cij);
            }
        }
    }

    /// <summary>Span overload of <see cref="Sgemm(bool, bool, int, int, int, float, float*, int, float*, int, float, float*, int)"/>; checks that the spans cover the strided matrices.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckSpan(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a));
        CheckSpan(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));
        CheckSpan(c.Length, m, n, ldc, nameof(c));
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            // Empty spans pin to null; give the pointer API a non-null dummy when nothing is read.
            float dummy = 0;
            Sgemm(transA, transB, m, n, k, alpha, pa != null ? pa : &dummy, lda, pb != null ? pb : &dummy, ldb,
                beta, pc != null ? pc : &dummy, ldc);
        }
    }

    /// <summary>Array overload: C = alpha · op(A) · op(B) + beta · C with dense leading dimensions.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, float[] b, float beta, float[] c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        Sgemm(transA, transB, m, n, k, alpha, a, Math.Max(1, transA ? m : k), b, Math.Max(1, transB ? k : n),
            beta, c, Math.Max(1, n));
    }

    private static void CheckSpan(int length, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"Span '{name}' holds {length} floats but the {rows}×{cols} matrix with leading dimension {ld} needs {needed}.", name);
    }
}
