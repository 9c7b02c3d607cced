namespace RawEdit.Tensors.LinearAlgebra;

/// <summary>
/// Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite matrix (row-major n×n, float64) and
/// solves with it. ROME's u = C⁻¹k and MEMIT's (λC + KKᵀ)⁻¹K are solved this way: the second-moment
/// matrices are badly conditioned, so float64 matters.
/// </summary>
public sealed class Cholesky
{
    private readonly double[] lower;

    public int Size { get; }

    /// <summary>Factorises A (not modified); throws when A is not (numerically) positive definite.</summary>
    public Cholesky(double[] a, int n)
    {
        if (a.Length != n * n) throw new ArgumentException($"matrix of {a.Length} elements is not {n}×{n}");
        Size = n;
        lower = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            double diagonal = a[j * n + j] - System.Numerics.Tensors.TensorPrimitives.SumOfSquares<double>(lower.AsSpan(j * n, j));
            if (!(diagonal > 0) || !double.IsFinite(diagonal))
                throw new InvalidOperationException($"matrix is singular or not positive definite (pivot {j} is {diagonal:G3}); " +
                                                    "the second-moment statistics need more samples or a larger regulariser");
            double pivot = Math.Sqrt(diagonal);
            lower[j * n + j] = pivot;
            Parallel.For(j + 1, n, new ParallelOptions { MaxDegreeOfParallelism = n - j > 256 ? Environment.ProcessorCount : 1 }, i =>
            {
                double dot = System.Numerics.Tensors.TensorPrimitives.Dot<double>(lower.AsSpan(i * n, j), lower.AsSpan(j * n, j));
                lower[i * n + j] = (a[i * n + j] - dot) / pivot;
            });
        }
    }

    /// <summary>
    /// X with A·Xᵀ = Bᵀ for <paramref name="count"/> right-hand sides stored as the rows of b [count, n] (each
    /// contiguous); X has the same layout. Right-hand sides go in blocks that share each row of L (and of Lᵀ) while
    /// it is in cache, blocks in parallel; each right-hand side's arithmetic is the same whatever the thread count.
    /// </summary>
    public double[] SolveMany(double[] b, int count)
    {
        int n = Size;
        if (b.Length != (long)count * n) throw new ArgumentException($"right-hand sides of {b.Length} elements are not {count}×{n}");
        var upper = Transposed();
        var x = (double[])b.Clone();
        const int block = 16;
        int blocks = (count + block - 1) / block;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = (long)count * n * n > 1 << 22 ? Environment.ProcessorCount : 1 }, blk =>
        {
            int first = blk * block, last = Math.Min(count, first + block);
            // L·y = b row by row: y_i = (b_i − L[i, :i]·y[:i]) / L_ii.
            for (int i = 0; i < n; i++)
            {
                var row = lower.AsSpan(i * n, i);
                for (int r = first; r < last; r++)
                {
                    var y = x.AsSpan(r * n, n);
                    y[i] = (y[i] - System.Numerics.Tensors.TensorPrimitives.Dot<double>(row, y[..i])) / lower[i * n + i];
                }
            }
            // Lᵀ·x = y from the bottom: x_i = (y_i − Lᵀ[i, i+1:]·x[i+1:]) / L_ii.
            for (int i = n - 1; i >= 0; i--)
            {
                var row = upper.AsSpan(i * n + i + 1, n - i - 1);
                for (int r = first; r < last; r++)
                {
                    var v = x.AsSpan(r * n, n);
                    v[i] = (v[i] - System.Numerics.Tensors.TensorPrimitives.Dot<double>(row, v[(i + 1)..])) / lower[i * n + i];
                }
            }
        });
        return x;
    }

    private double[] Transposed()
    {
        int n = Size;
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) t[j * n + i] = lower[i * n + j];
        return t;
    }

    /// <summary>x with A·x = b (forward then back substitution).</summary>
    public double[] Solve(ReadOnlySpan<double> b)
    {
        int n = Size;
        if (b.Length != n) throw new ArgumentException($"right-hand side of length {b.Length} for a {n}×{n} system");
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= lower[i * n + k] * y[k];
            y[i] = sum / lower[i * n + i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) sum -= lower[k * n + i] * x[k];
            x[i] = sum / lower[i * n + i];
        }
        return x;
    }
}
