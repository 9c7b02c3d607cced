namespace RawEdit.Tensors.LinearAlgebra;

/// <summary>
/// Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite matrix (row-major n×n, float64) and
/// solves with it. ROME's u = C⁻¹k and MEMIT's (λC + KKᵀ)⁻¹K are solved this way: the second-moment
/// matrices are badly conditioned, so float64 matters.
/// </summary>
internal sealed class Cholesky
{
    private readonly double[] lower;

    public int Size { get; }

    /// <summary>Factorises A (not modified; only its lower triangle is read); throws when A is not (numerically) positive definite.</summary>
    public Cholesky(double[] a, int n) : this(n, LowerTriangleOf(a, n)) { }

    private Cholesky(int n, double[] storage)
    {
        Size = n;
        lower = storage;
        BlockedCholesky.Factor(lower, n);
    }

    /// <summary>
    /// Factorises A in its own storage (A is overwritten by L), for a system matrix the caller no longer needs: at
    /// GPT-J's 16,384-wide MLP keys this saves a 2 GiB copy.
    /// </summary>
    public static Cholesky InPlace(double[] a, int n)
    {
        if (a.Length != (long)n * n) throw new ArgumentException($"matrix of {a.Length} elements is not {n}×{n}");
        return new Cholesky(n, a);
    }

    private static double[] LowerTriangleOf(double[] a, int n)
    {
        if (a.Length != (long)n * n) throw new ArgumentException($"matrix of {a.Length} elements is not {n}×{n}");
        var copy = GC.AllocateUninitializedArray<double>(a.Length);
        for (int i = 0; i < n; i++) Array.Copy(a, (long)i * n, copy, (long)i * n, i + 1);   // the rest is zeroed by the factorisation
        return copy;
    }

    /// <summary>
    /// X with A·Xᵀ = Bᵀ for <paramref name="count"/> right-hand sides stored as the rows of b [count, n] (each
    /// contiguous); X has the same layout. Right-hand sides go in blocks that share each row of L while
    /// it is in cache, blocks in parallel; each right-hand side's arithmetic is the same whatever the thread count.
    /// </summary>
    public double[] SolveMany(double[] b, int count)
    {
        int n = Size;
        if (b.Length != (long)count * n) throw new ArgumentException($"right-hand sides of {b.Length} elements are not {count}×{n}");
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
            // Lᵀ·x = y from the bottom, reading L by rows (no transposed copy): x_i = y_i / L_ii, then y[:i] −= x_i·L[i, :i].
            for (int i = n - 1; i >= 0; i--)
            {
                var row = lower.AsSpan(i * n, i);
                for (int r = first; r < last; r++)
                {
                    var v = x.AsSpan(r * n, n);
                    v[i] /= lower[i * n + i];
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, -v[i], v[..i], v[..i]);
                }
            }
        });
        return x;
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
