using System.Numerics.Tensors;
using RawEdit.Editing.Statistics;
using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Editing.Memit;

/// <summary>
/// One layer's MEMIT update (memit_main.py:190-206; the paper's Eq. 14 with the residual spread):
///   Δ = R_i [(λC + KKᵀ)⁻¹K]ᵀ,   K [F, n] the requests' keys, R_i [C, n] their residuals already divided by L − i,
/// all in float64, solved with a Cholesky factorisation (λC + KKᵀ is symmetric positive definite when C is and λ &gt; 0).
/// Shapes: keys [n][F], residuals [n][C]; the result in the weight's orientation ([F, C] Conv1D, [C, F] Linear).
/// </summary>
internal static class MemitUpdate
{
    /// <summary>
    /// The adjusted keys (λC + KKᵀ)⁻¹k_j [n][F], one per request: Δ = Σ_j adjusted_j ⊗ residual_j, so for one request
    /// the update is exactly the rank-one term adjusted_0 ⊗ residual_0. <paramref name="workspace"/> [F·F], when given,
    /// holds the system and its factor (overwritten): one buffer for all layers instead of an F×F array per layer
    /// (2 GiB each at GPT-J's F = 16,384, which the collector is slow to reclaim).
    /// </summary>
    public static double[][] AdjustedKeys(int layer, IReadOnlyList<float[]> keys, double lambda, SecondMoment secondMoment, double[]? workspace = null)
    {
        int n = keys.Count, f = secondMoment.Dimension;
        if (keys.Any(k => k.Length != f)) throw new ArgumentException($"keys must have the second moment's dimension {f}");

        var kRows = new double[n * f];           // [n, F]: request j's key, contiguous (the solve's right-hand sides)
        var kColumns = new double[f * n];        // [F, n]: K itself, so (KKᵀ)[a, b] is a dot of two rows
        for (int j = 0; j < n; j++)
            for (int a = 0; a < f; a++) kColumns[a * n + j] = kRows[j * f + a] = keys[j][a];

        var system = SystemMatrix(kColumns, n, f, lambda, secondMoment, workspace);
        Cholesky factor;
        try { factor = Cholesky.InPlace(system, f); }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"MEMIT at layer {layer}: λC + KKᵀ is singular ({e.Message.Split(';')[0]}); with {n} requests and " +
                $"mom2_update_weight λ = {lambda:G4} it needs λ > 0 and a positive-definite C (or the identity)", e);
        }
        var adjusted = factor.SolveMany(kRows, n);   // [n, F]: row j = (λC + KKᵀ)⁻¹ k_j
        return Enumerable.Range(0, n).Select(j => adjusted.AsSpan(j * f, f).ToArray()).ToArray();
    }

    /// <summary>Δ = Σ_j adjusted_j ⊗ residual_j from adjusted keys [n][F] and residuals [n][C], in the weight's orientation.</summary>
    public static WeightDelta Delta(string weightName, bool outByIn, int layer, IReadOnlyList<double[]> adjusted, IReadOnlyList<double[]> residuals)
    {
        int n = adjusted.Count, f = adjusted[0].Length, c = residuals[0].Length;
        if (residuals.Count != n) throw new ArgumentException($"{residuals.Count} residuals for {n} keys");

        // ΔW[a, o] = Σ_j adjusted[j, a]·R_i[j, o]: Δᵀ in Conv1D's [in, out]; Linear ([out, in]) stores Δ itself.
        var delta = new float[f * c];
        Parallel.For(0, f, new ParallelOptions { MaxDegreeOfParallelism = (long)f * n * c > 1 << 20 ? Environment.ProcessorCount : 1 }, a =>
        {
            var row = new double[c];
            for (int j = 0; j < n; j++) TensorPrimitives.MultiplyAdd(residuals[j], adjusted[j][a], row, row);
            for (int o = 0; o < c; o++) delta[outByIn ? o * f + a : a * c + o] = (float)row[o];
        });
        if (delta.Any(x => !float.IsFinite(x))) throw new InvalidOperationException($"the update at layer {layer} is not finite");
        return outByIn ? new WeightDelta(weightName, layer, c, f, delta) : new WeightDelta(weightName, layer, f, c, delta);
    }

    /// <summary>λC + KKᵀ [F, F] from K [F, n]: the lower triangle by row dots (all the factorisation reads).</summary>
    private static double[] SystemMatrix(double[] kColumns, int n, int f, double lambda, SecondMoment secondMoment, double[]? workspace)
    {
        if (workspace is not null && workspace.Length != (long)f * f) throw new ArgumentException($"workspace of {workspace.Length} elements for a {f}×{f} system");
        var a = workspace ?? GC.AllocateUninitializedArray<double>(f * f);
        var c = secondMoment.IsIdentity ? null : secondMoment.Matrix;
        Parallel.For(0, f, new ParallelOptions { MaxDegreeOfParallelism = (long)f * f * n > 1 << 22 ? Environment.ProcessorCount : 1 }, i =>
        {
            var ki = kColumns.AsSpan(i * n, n);
            for (int j = 0; j <= i; j++)
                a[i * f + j] = lambda * (c is null ? (i == j ? 1 : 0) : c[i * f + j]) + TensorPrimitives.Dot<double>(ki, kColumns.AsSpan(j * n, n));
        });
        return a;
    }
}
