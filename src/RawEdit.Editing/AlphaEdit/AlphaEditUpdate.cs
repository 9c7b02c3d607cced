using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Editing.AlphaEdit;

/// <summary>
/// One layer's AlphaEdit update (Fang et al., ICLR 2025, the closed form of the null-space-constrained objective;
/// upstream AlphaEdit/AlphaEdit_main.py):
///   (P (K Kᵀ + K_pK_pᵀ) + L2·I) X = P K Rᵀ,   Δ = Xᵀ (out × in)
/// K [F, n] this batch's keys, K_pK_pᵀ [F, F] the keys of the earlier edits in the sequence, R the spread residuals.
/// The system is not symmetric (P multiplies from the left), so it is solved by LU with partial pivoting. It is solved
/// for P K (n right-hand sides) and multiplied by R afterwards (the adjusted keys A = (…)⁻¹ P K, Δ = R Aᵀ): by
/// linearity the same X as upstream's solve against P K Rᵀ. Upstream solves in float32 on the GPU; this is float64.
/// Shapes: keys [n][F]; the result [n][F] (row j = column j of A).
/// </summary>
internal static class AlphaEditUpdate
{
    public static double[][] AdjustedKeys(int layer, IReadOnlyList<float[]> keys, NullSpaceProjector projector, double[]? preservedSum, double l2)
    {
        int n = keys.Count, f = projector.Dimension;
        if (keys.Any(k => k.Length != f)) throw new ArgumentException($"keys must have the projector's dimension {f}");
        if (preservedSum is not null && preservedSum.Length != (long)f * f) throw new ArgumentException($"K_pK_pᵀ of {preservedSum.Length} elements is not {f}×{f}");

        var moment = preservedSum is null ? new double[(long)f * f] : (double[])preservedSum.Clone();   // K Kᵀ + K_pK_pᵀ
        foreach (var key in keys)
        {
            var k = key.Select(x => (double)x).ToArray();
            for (int a = 0; a < f; a++)
            {
                var row = moment.AsSpan(a * f, f);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(k, k[a], row, row);
            }
        }
        var system = projector.ProjectRows(moment);                     // P (K Kᵀ + K_pK_pᵀ)
        for (int a = 0; a < f; a++) system[a * f + a] += l2;            // + L2·I

        var rhs = new double[f * n];                                     // P K [F, n]
        for (int j = 0; j < n; j++)
        {
            var pk = projector.Project(keys[j].Select(x => (double)x).ToArray());
            for (int a = 0; a < f; a++) rhs[a * n + j] = pk[a];
        }
        LuDecomposition lu;
        try { lu = LuDecomposition.InPlace(system, f); }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"AlphaEdit at layer {layer}: P(KKᵀ + K_pK_pᵀ) + L2·I is singular ({e.Message}) with L2 = {l2:G3}", e);
        }
        var x = lu.Solve(rhs, n);                                        // [F, n]
        return Enumerable.Range(0, n).Select(j => Enumerable.Range(0, f).Select(a => x[a * n + j]).ToArray()).ToArray();
    }
}
