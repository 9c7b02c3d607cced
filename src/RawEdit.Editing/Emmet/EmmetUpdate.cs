using System.Numerics.Tensors;
using RawEdit.Editing.Statistics;
using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Editing.Emmet;

/// <summary>
/// One layer's EMMET update (Gupta et al. 2024, "A Unified Framework for Model Editing"; upstream emmet/emmet_main.py,
/// execute_emmet), ROME's equality constraint ΔW K = R for a batch, least-change in the C' norm:
///   C' = w·C + λ_u·I                       (w = mom2_update_weight, λ_u = update_norm_lambda; each skipped at 1 / 0)
///   D  = Kᵀ C'⁻¹ K (+ λ_E·I when n &gt; 1)    [n, n]
///   ΔW = R D⁻¹ Kᵀ C'⁻¹,  i.e. adjusted keys A = C'⁻¹ K D⁻¹ [F, n] and Δ = R Aᵀ   (the paper's Eq. for EMMET)
/// All in float64, as upstream. Upstream inverts C' explicitly (torch.inverse); C' is symmetric positive definite, so
/// C'⁻¹K is solved here by Cholesky instead: the same quantity, more accurate. D⁻¹ is an inverse unless D is singular
/// to working precision (duplicate keys with λ_E = 0, a zero key): then the pseudo-inverse is used, as upstream's
/// fallback does, and the caller is told. Shapes: keys [n][F]; the result [n][F] (row j = column j of A).
/// </summary>
internal static class EmmetUpdate
{
    /// <summary>
    /// Largest ‖D·D⁻¹ − I‖_max accepted from the Cholesky inverse before D counts as singular. torch.inverse falls back
    /// only on an exactly zero pivot; an inverse this far off carries no digits worth keeping either.
    /// </summary>
    public const double InverseResidualLimit = 1e-6;

    public sealed record Solution(double[][] AdjustedKeys, bool PseudoInverse, double[] D);

    public static Solution AdjustedKeys(int layer, IReadOnlyList<float[]> keys, EmmetHyperParameters h, SecondMoment secondMoment, double[]? workspace = null)
    {
        int n = keys.Count, f = secondMoment.Dimension;
        if (keys.Any(k => k.Length != f)) throw new ArgumentException($"keys must have the second moment's dimension {f}");
        var kRows = new double[n * f];                              // [n, F]
        for (int j = 0; j < n; j++)
            for (int a = 0; a < f; a++) kRows[j * f + a] = keys[j][a];

        var solved = SolveC(layer, kRows, n, f, h, secondMoment, workspace);  // [n, F]: row j = C'⁻¹ k_j
        var d = new double[n * n];                                  // D = Kᵀ C'⁻¹ K, symmetric by construction
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                d[i * n + j] = d[j * n + i] = TensorPrimitives.Dot<double>(kRows.AsSpan(i * f, f), solved.AsSpan(j * f, f));
        if (n > 1)
            for (int i = 0; i < n; i++) d[i * n + i] += h.EmmetLambda;

        var (inverse, pseudo) = InvertSymmetric(d, n);
        var adjusted = new double[n][];                             // A_j = Σ_i (C'⁻¹k_i)·(D⁻¹)_ij
        for (int j = 0; j < n; j++)
        {
            var column = new double[f];
            for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(solved.AsSpan(i * f, f), inverse[i * n + j], column, column);
            adjusted[j] = column;
        }
        return new Solution(adjusted, pseudo, d);
    }

    /// <summary>C'⁻¹ k_j for every key [n, F]; C' = w·C + λ_u·I is symmetric positive definite when C is and w, λ_u ≥ 0 with one &gt; 0.</summary>
    private static double[] SolveC(int layer, double[] kRows, int n, int f, EmmetHyperParameters h, SecondMoment secondMoment, double[]? workspace)
    {
        if (secondMoment.IsIdentity)
        {
            double scale = h.Mom2UpdateWeight + h.UpdateNormLambda;
            return kRows.Select(x => x / scale).ToArray();
        }
        if (workspace is not null && workspace.Length != (long)f * f) throw new ArgumentException($"workspace of {workspace.Length} elements for a {f}×{f} system");
        var c = workspace ?? GC.AllocateUninitializedArray<double>(f * f);
        var moment = secondMoment.Matrix;
        double w = h.Mom2UpdateWeight;
        for (int i = 0; i < f; i++)
        {
            for (int j = 0; j <= i; j++) c[i * f + j] = w == 1 ? moment[i * f + j] : w * moment[i * f + j];
            c[i * f + i] += h.UpdateNormLambda;
        }
        try { return Cholesky.InPlace(c, f).SolveMany(kRows, n); }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"EMMET at layer {layer}: C' = {w:G4}·C + {h.UpdateNormLambda:G4}·I is not positive definite " +
                                                $"({e.Message.Split(';')[0]}); raise update_norm_lambda or check the statistics", e);
        }
    }

    /// <summary>D⁻¹ [n, n] by Cholesky, or D⁺ (pseudo-inverse, singular values below n·ε·max dropped as torch.linalg.pinv does) when D is singular.</summary>
    public static (double[] Inverse, bool Pseudo) InvertSymmetric(double[] d, int n)
    {
        var identity = new double[n * n];
        for (int i = 0; i < n; i++) identity[i * n + i] = 1;
        try
        {
            var inverse = new Cholesky(d, n).SolveMany(identity, n);
            if (ResidualOfInverse(d, inverse, n) <= InverseResidualLimit) return (inverse, false);
        }
        catch (InvalidOperationException) { }
        return (PseudoInverse(d, n), true);
    }

    private static double ResidualOfInverse(double[] d, double[] inverse, int n)
    {
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double x = TensorPrimitives.Dot<double>(d.AsSpan(i * n, n), inverse.AsSpan(j * n, n)) - (i == j ? 1 : 0);   // inverse is symmetric
                worst = double.IsFinite(x) ? Math.Max(worst, Math.Abs(x)) : double.PositiveInfinity;
            }
        return worst;
    }

    private static double[] PseudoInverse(double[] d, int n)
    {
        var eigen = SymmetricEigen.Of(d, n);
        double largest = eigen.Values.Max(Math.Abs);
        double cutoff = n * 2.220446049250313e-16 * largest;
        var pseudo = new double[n * n];
        for (int r = 0; r < n; r++)
        {
            double value = eigen.Values[r];
            if (Math.Abs(value) <= cutoff) continue;
            var v = eigen.Vector(r);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) pseudo[i * n + j] += v[i] * v[j] / value;
        }
        return pseudo;
    }
}
