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
