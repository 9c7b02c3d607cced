using System.Numerics.Tensors;

namespace RawEdit.Tensors.LinearAlgebra;

/// <summary>
/// Right-looking blocked Cholesky A = L·Lᵀ, in place on a row-major n×n float64 array (Golub &amp; Van Loan, Matrix
/// Computations, Alg. 4.2.2 in block form). For each block column k of width b:
///   1. L_kk      = chol(A_kk)                 (unblocked, b×b)
///   2. L_ik      = A_ik · L_kkᵀ⁻¹              (rows below the block, a triangular solve per row)
///   3. A_ij     −= L_ik · L_jkᵀ  for j ≤ i     (the trailing update, a SYRK: <see cref="SyrkUpdate"/>)
/// Step 3 carries n³/3 of the n³/3 + O(n²b) multiply-adds, in a register-blocked kernel over packed panels: a
/// 16,384-wide system (GPT-J's MLP keys) factors in about 30 s on two cores, about six times faster than a
/// column-at-a-time dot-product loop, which streams L through memory once per column (benchmarks/README.md).
/// Each element's sums run in a fixed order, whatever the thread count.
/// Only the lower triangle of A is read; on return it holds L and the strict upper triangle is zero.
/// </summary>
internal static class BlockedCholesky
{
    public const int DefaultBlock = 256;

    public static void Factor(double[] a, int n, int block = DefaultBlock)
    {
        if (block < 1) throw new ArgumentOutOfRangeException(nameof(block));
        var packs = new SyrkUpdate.Packs(n - Math.Min(block, n), Math.Min(block, n));   // sized for the first (largest) trailing square, reused
        for (int k = 0; k < n; k += block)
        {
            int b = Math.Min(block, n - k);
            FactorDiagonalBlock(a, n, k, b);
            SolvePanel(a, n, k, b);
            if (k + b < n) SyrkUpdate.Apply(a, n, k, b, packs);
        }
        for (int i = 0; i < n; i++) Array.Clear(a, i * n + i + 1, n - i - 1);
    }

    /// <summary>Step 1: the unblocked factor of A[k:k+b, k:k+b], whose earlier columns' terms step 3 already removed.</summary>
    private static void FactorDiagonalBlock(double[] a, int n, int k, int b)
    {
        for (int j = k; j < k + b; j++)
        {
            var rowJ = a.AsSpan(j * n + k, j - k);
            double diagonal = a[j * n + j] - TensorPrimitives.SumOfSquares<double>(rowJ);
            if (!(diagonal > 0) || !double.IsFinite(diagonal))
                throw new InvalidOperationException($"matrix is singular or not positive definite (pivot {j} is {diagonal:G3}); " +
                                                    "the second-moment statistics need more samples or a larger regulariser");
            double pivot = Math.Sqrt(diagonal);
            a[j * n + j] = pivot;
            for (int i = j + 1; i < k + b; i++)
                a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot<double>(a.AsSpan(i * n + k, j - k), rowJ)) / pivot;
        }
    }

    /// <summary>Step 2: L[i, k:k+b] for every row i below the block, forward substitution against L_kk, rows in parallel.</summary>
    private static void SolvePanel(double[] a, int n, int k, int b)
    {
        int first = k + b;
        if (first >= n) return;
        Parallel.For(first, n, Options((long)(n - first) * b * b), i =>
        {
            for (int j = k; j < k + b; j++)
                a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot<double>(a.AsSpan(i * n + k, j - k), a.AsSpan(j * n + k, j - k))) / a[j * n + j];
        });
    }

    /// <summary>All cores once the work is worth a thread hand-off (≈ 4M multiply-adds), one otherwise.</summary>
    internal static ParallelOptions Options(long multiplyAdds) =>
        new() { MaxDegreeOfParallelism = multiplyAdds > 1 << 22 ? Environment.ProcessorCount : 1 };
}
