namespace RawEdit.Models.Hooks;

/// <summary>
/// Named activations inside a transformer block, all [B,T,·]:
/// <list type="bullet">
/// <item><c>TokenEmbedding</c>: the token embedding wte[ids], before GPT-2's position embedding is added; layer 0 only —
/// where causal tracing adds its noise [B,T,C]</item>
/// <item><c>AttentionOut</c>: output of the attention after its output projection, before the residual add [B,T,C]</item>
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
    TokenEmbedding,
    AttentionOut,
}
