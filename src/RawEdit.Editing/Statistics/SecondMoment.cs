using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Editing.Statistics;

/// <summary>
/// C = E[k kᵀ] (uncentered) of one layer's keys, float64, row-major F×F, with the Cholesky factor
/// cached for solves. <see cref="Identity"/> stands for mom2_adjustment = false.
/// </summary>
internal sealed class SecondMoment
{
    private Cholesky? factor;

    private double[]? matrix;

    public SecondMoment(double[] matrix, int dimension, long tokens)
    {
        if (matrix.Length != (long)dimension * dimension) throw new ArgumentException($"second moment of {matrix.Length} elements is not {dimension}×{dimension}");
        this.matrix = matrix;
        Dimension = dimension;
        Tokens = tokens;
    }

    private SecondMoment(int dimension)
    {
        Dimension = dimension;
    }

    /// <summary>C itself; the identity's is only allocated when asked for (at GPT-J's 16,384 keys it is 2 GiB).</summary>
    public double[] Matrix => matrix ??= IdentityMatrix(Dimension);
    public int Dimension { get; }
    /// <summary>Number of key vectors averaged (0 for the identity).</summary>
    public long Tokens { get; }
    public bool IsIdentity => Tokens == 0;

    /// <summary>Number of documents the keys came from (upstream's mom2_n_samples counts these).</summary>
    public int Documents { get; init; }

    public static SecondMoment Identity(int dimension) => new(dimension);

    private static double[] IdentityMatrix(int dimension)
    {
        var m = new double[(long)dimension * dimension];
        for (int i = 0; i < dimension; i++) m[(long)i * dimension + i] = 1;
        return m;
    }

    /// <summary>C⁻¹ x in float64.</summary>
    public double[] Solve(ReadOnlySpan<float> x)
    {
        if (x.Length != Dimension) throw new ArgumentException($"vector of {x.Length} for a {Dimension}-dimensional second moment");
        var b = new double[x.Length];
        for (int i = 0; i < b.Length; i++) b[i] = x[i];
        if (IsIdentity) return b;
        Factorize();
        return factor!.Solve(b);
    }

    /// <summary>Factorises C now (the first solve does it otherwise), so a C that is not positive definite is reported before other work.</summary>
    public void Factorize()
    {
        if (!IsIdentity) factor ??= new Cholesky(Matrix, Dimension);
    }
}
