namespace RawEdit.Editing.Rome;

/// <summary>
/// The quantities that explain a ROME update's size, as method figures (names self-explaining, all from one edit).
/// With u = C⁻¹k̃/‖C⁻¹k̃‖ (‖u‖ = 1) and ΔW = u ⊗ r, ‖ΔW‖_F = ‖r‖ = residual_norm / |denominator| exactly, so |Δ| splits
/// into the numerator and the denominator below; r-ROME's numerator further splits into δ and the value shift.
/// </summary>
internal static class RomeDiagnosis
{
    public static IReadOnlyDictionary<string, double> Figures(RomeResult result)
    {
        double[] kS = Wide(result.KS), kBar = Wide(result.KBar), u = Wide(result.U);
        double[] vS = Wide(result.VS), vBar = Wide(result.VBar), vStar = Wide(result.Value.VStar), delta = Wide(result.Value.Delta);
        double[] r = Wide(result.R), current = Wide(result.CurrentValue);
        double uKs = Dot(u, kS), uKbar = Dot(u, kBar);
        double[] valueShift = Minus(vS, vBar);                               // v_s − v̄ = W (k_s − k̄): the MLP down projection is linear
        return new Dictionary<string, double>
        {
            ["u_dot_k_s"] = uKs,                                             // u·k_s: rome's and p-rome's denominator
            ["u_dot_k_bar"] = uKbar,                                         // u·k̄: r-rome's denominator
            ["denominator_ratio"] = uKs / uKbar,                             // (u·k_s) / (u·k̄)
            ["key_shift"] = Norm(Minus(kS, kBar)) / Norm(kBar),              // ‖k_s − k̄‖ / ‖k̄‖: how far the prefixes move the key
            ["residual_norm"] = Norm(Minus(vStar, current)),                 // ‖v* − v_current‖: the update's numerator
            ["value_shift"] = Norm(valueShift),                              // ‖v_s − v̄‖: r-rome's numerator is δ + (v_s − v̄)
            ["value_shift_cos_delta"] = Dot(valueShift, delta) / (Norm(valueShift) * Norm(delta)),   // cos(v_s − v̄, δ)
            ["r_norm"] = Norm(r),                                            // ‖r‖ = ‖ΔW‖_F
            ["miss_at_k_s"] = Norm(Minus(Plus(vS, Scale(r, uKs)), vStar)),   // ‖(W + ΔW) k_s − v*‖ = ‖v_s + (u·k_s) r − v*‖
            ["miss_at_k_bar"] = Norm(Minus(Plus(vBar, Scale(r, uKbar)), vStar)),   // ‖(W + ΔW) k̄ − v*‖ = ‖v̄ + (u·k̄) r − v*‖
        };
    }

    private static double[] Wide(float[] v) => v.Select(x => (double)x).ToArray();

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static double Norm(double[] v) => VectorNorm.Of(v);

    private static double[] Minus(double[] a, double[] b) => a.Zip(b, (x, y) => x - y).ToArray();

    private static double[] Plus(double[] a, double[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    private static double[] Scale(double[] v, double s) => v.Select(x => x * s).ToArray();
}
