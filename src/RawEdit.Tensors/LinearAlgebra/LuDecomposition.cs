using System.Numerics.Tensors;

namespace RawEdit.Tensors.LinearAlgebra;

/// <summary>
/// P·A = L·U with partial (row) pivoting of a general square matrix (row-major n×n, float64), factorised in the
/// caller's storage, and solves with it: what torch.linalg.solve does for a matrix that is not symmetric (AlphaEdit's
/// P(KKᵀ + K_pK_pᵀ) + L2·I). Row updates below the pivot run in parallel for large n; each row's arithmetic is the
/// same whatever the thread count.
/// </summary>
internal sealed class LuDecomposition
{
    private readonly double[] lu;
    private readonly int[] pivots;

    public int Size { get; }

    private LuDecomposition(double[] lu, int[] pivots, int n) => (this.lu, this.pivots, Size) = (lu, pivots, n);

    /// <summary>Factorises A, overwriting it; throws when a pivot is exactly zero or the matrix holds a non-finite value.</summary>
    public static LuDecomposition InPlace(double[] a, int n)
    {
        if (a.Length != (long)n * n) throw new ArgumentException($"matrix of {a.Length} elements is not {n}×{n}");
        var pivots = new int[n];
        var options = new ParallelOptions { MaxDegreeOfParallelism = n >= 256 ? Environment.ProcessorCount : 1 };
        for (int k = 0; k < n; k++)
        {
            int best = k;
            for (int i = k + 1; i < n; i++)
                if (Math.Abs(a[i * n + k]) > Math.Abs(a[best * n + k])) best = i;
            double pivot = a[best * n + k];
            if (pivot == 0 || !double.IsFinite(pivot)) throw new InvalidOperationException($"matrix is singular (column {k} has no usable pivot: {pivot:G3})");
            pivots[k] = best;
            if (best != k) SwapRows(a, k, best, n);
            var pivotRow = a.AsSpan(k * n + k + 1, n - k - 1).ToArray();
            Parallel.For(k + 1, n, options, i =>
            {
                double factor = a[i * n + k] /= pivot;
                var row = a.AsSpan(i * n + k + 1, n - k - 1);
                TensorPrimitives.MultiplyAdd(pivotRow, -factor, row, row);
            });
        }
        return new LuDecomposition(a, pivots, n);
    }

    /// <summary>X with A·X = B for B [n, count] row-major (count right-hand sides as columns); X has the same layout.</summary>
    public double[] Solve(double[] b, int count)
    {
        int n = Size;
        if (b.Length != (long)n * count) throw new ArgumentException($"right-hand sides of {b.Length} elements are not {n}×{count}");
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
            if (pivots[k] != k) SwapRows(x, k, pivots[k], count);
        // L·Y = P·B (unit diagonal), then U·X = Y, a row of right-hand sides at a time.
        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * count, count);
            for (int k = 0; k < i; k++) TensorPrimitives.MultiplyAdd(x.AsSpan(k * count, count), -lu[i * n + k], row, row);
        }
        for (int i = n - 1; i >= 0; i--)
        {
            var row = x.AsSpan(i * count, count);
            for (int k = i + 1; k < n; k++) TensorPrimitives.MultiplyAdd(x.AsSpan(k * count, count), -lu[i * n + k], row, row);
            TensorPrimitives.Divide(row, lu[i * n + i], row);
        }
        return x;
    }

    private static void SwapRows(double[] m, int i, int j, int width)
    {
        var temp = m.AsSpan(i * width, width).ToArray();
        m.AsSpan(j * width, width).CopyTo(m.AsSpan(i * width, width));
        temp.CopyTo(m.AsSpan(j * width, width));
    }
}
