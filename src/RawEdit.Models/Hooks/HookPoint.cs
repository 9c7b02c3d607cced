namespace RawEdit.Models.Hooks;

/// <summary>
/// Named activations inside a transformer block, all [B,T,·]:
/// <list type="bullet">
/// <item><c>MlpIn</c>: input of the MLP up projection (ln_2 output) [B,T,C]</item>
/// <item><c>MlpHidden</c>: output of the up projection, before the activation [B,T,F]</item>
/// <item><c>MlpKey</c>: input of the MLP down projection — ROME's key k [B,T,F]</item>
/// <item><c>MlpOut</c>: output of the whole MLP — where ROME adds δ [B,T,C]</item>
/// <item><c>BlockOut</c>: the residual stream after the block — where MEMIT adds δ [B,T,C]</item>
/// </list>
/// </summary>
internal enum HookPoint
{
    MlpIn,
    MlpHidden,
    MlpKey,
    MlpOut,
    BlockOut,
}
