using System.Numerics.Tensors;
using RawEdit.Editing.Statistics;
using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Editing.AlphaEdit;

/// <summary>
/// AlphaEdit's null-space projector of one layer (Fang et al. 2025, Eq. for P; upstream experiments/evaluate.py,
/// get_project): the SVD E[kkᵀ] = U S Uᵀ, Û = the singular vectors whose singular value is strictly below
/// nullspace_threshold, P = Û Ûᵀ. A key the statistics saw often has almost no component in Û's span, so an update
/// written through P leaves the preserved keys' values alone. Upstream takes the SVD of the normalised float32
/// E[kkᵀ] (stat.mom2.moment().float()); here the same normalised moment is decomposed in float64 (E[kkᵀ] is
/// symmetric positive semi-definite, so its SVD is its eigendecomposition with singular values |λ|). The count can
/// differ from upstream's only for a singular value within float32 rounding of the threshold.
/// Shapes: Basis [m, F] (row r = one null-space direction), SingularValues [F] ascending.
/// </summary>
internal sealed class NullSpaceProjector
{
    public int Layer { get; }
    public int Dimension { get; }
    public double Threshold { get; }
    public double[] Basis { get; }
    public double[] SingularValues { get; }

    /// <summary>m = dim of the null space: how many singular values were below the threshold.</summary>
    public int Rank => Basis.Length / Dimension;

    public NullSpaceProjector(int layer, int dimension, double threshold, double[] basis, double[] singularValues)
    {
        if (basis.Length % dimension != 0 || singularValues.Length != dimension)
            throw new ArgumentException($"a null-space basis of {basis.Length} values and {singularValues.Length} singular values do not fit dimension {dimension}");
        (Layer, Dimension, Threshold, Basis, SingularValues) = (layer, dimension, threshold, basis, singularValues);
        if (Rank == 0) throw EmptyNullSpace(layer, threshold, singularValues);
    }

    public static NullSpaceProjector Compute(SecondMoment secondMoment, int layer, double threshold)
    {
        if (secondMoment.IsIdentity) throw new ArgumentException($"AlphaEdit at layer {layer} needs second-moment statistics, not the identity");
        int f = secondMoment.Dimension;
        var eigen = SymmetricEigen.Of(secondMoment.Matrix, f);
        var below = Enumerable.Range(0, f).Where(i => Math.Abs(eigen.Values[i]) < threshold).ToArray();
        var singular = eigen.Values.Select(Math.Abs).Order().ToArray();
        if (below.Length == 0) throw EmptyNullSpace(layer, threshold, singular);
        var basis = new double[below.Length * f];
        for (int r = 0; r < below.Length; r++) eigen.Vector(below[r]).CopyTo(basis.AsSpan(r * f, f));
        return new NullSpaceProjector(layer, f, threshold, basis, singular);
    }

    private static InvalidOperationException EmptyNullSpace(int layer, double threshold, double[] singularValues) =>
        new($"AlphaEdit at layer {layer}: 0 of the {singularValues.Length} singular values of E[kkᵀ] are below nullspace_threshold {threshold:G3} " +
            $"(the smallest is {singularValues.Min():G3}), so the null space is empty and every update would be zero; " +
            $"raise nullspace_threshold above {singularValues.Min():G3} or check the statistics");

    /// <summary>P x = Û(Ûᵀx) [F].</summary>
    public double[] Project(ReadOnlySpan<double> x)
    {
        if (x.Length != Dimension) throw new ArgumentException($"vector of {x.Length} for a {Dimension}-dimensional projector");
        var result = new double[Dimension];
        for (int r = 0; r < Rank; r++)
        {
            var u = Basis.AsSpan(r * Dimension, Dimension);
            TensorPrimitives.MultiplyAdd(u, TensorPrimitives.Dot(u, x), result, result);
        }
        return result;
    }

    /// <summary>P·M [F, F] for M [F, F] row-major: G = ÛᵀM [m, F], then (P·M)[a, :] = Σ_r Û[a, r]·G[r, :]. 2·m·F² multiply-adds.</summary>
    public double[] ProjectRows(double[] m)
    {
        int f = Dimension, rank = Rank;
        if (m.Length != (long)f * f) throw new ArgumentException($"matrix of {m.Length} elements is not {f}×{f}");
        var options = new ParallelOptions { MaxDegreeOfParallelism = f >= 256 ? Environment.ProcessorCount : 1 };
        var g = new double[rank * f];
        Parallel.For(0, rank, options, r =>
        {
            var row = g.AsSpan(r * f, f);
            for (int a = 0; a < f; a++) TensorPrimitives.MultiplyAdd(m.AsSpan(a * f, f), Basis[r * f + a], row, row);
        });
        var result = new double[(long)f * f];
        Parallel.For(0, f, options, a =>
        {
            var row = result.AsSpan(a * f, f);
            for (int r = 0; r < rank; r++) TensorPrimitives.MultiplyAdd(g.AsSpan(r * f, f), Basis[r * f + a], row, row);
        });
        return result;
    }
}
