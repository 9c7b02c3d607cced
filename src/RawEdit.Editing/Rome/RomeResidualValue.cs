namespace RawEdit.Editing.Rome;

/// <summary>
/// Which current value ROME's residual r = (v* − v_current) / (k·u) subtracts. <see cref="ModeDefault"/> is every
/// mode's published behaviour (rome, p-rome: v_s; r-rome: v̄). The other two exist for diagnosis only (hparams key
/// <c>residual_value</c>, not an upstream key): they swap this one term while the key in the denominator stays the mode's,
/// so a run can tell whether a mode's behaviour comes from its numerator or its denominator.
/// </summary>
internal enum RomeResidualValue
{
    /// <summary>The mode's own choice.</summary>
    ModeDefault,
    /// <summary>v_s, the value at the unprefixed prompt (the one v* = v_s + δ is built from): r = δ / (k·u).</summary>
    Prompt,
    /// <summary>v̄, the mean value over the prefixed key prompts: r = (v_s + δ − v̄) / (k·u).</summary>
    Averaged,
}
