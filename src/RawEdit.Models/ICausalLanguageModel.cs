using RawEdit.Models.Hooks;
using RawEdit.Tensors;

namespace RawEdit.Models;

/// <summary>What editing methods need from a decoder-only language model (GPT-2, GPT-J).</summary>
internal interface ICausalLanguageModel
{
    string Architecture { get; }
    int Layers { get; }
    int Embedding { get; }
    /// <summary>Width of the MLP hidden layer: the length of ROME's key.</summary>
    int MlpWidth { get; }
    int VocabSize { get; }
    int MaxPositions { get; }
    int EosTokenId { get; }

    /// <summary>All parameters by Hugging Face name (with the <c>transformer.</c> prefix).</summary>
    IReadOnlyDictionary<string, Tensor> Parameters { get; }

    /// <summary>Logits [B,T,V] for a right-padded batch; hooks run at their points.</summary>
    Tensor Forward(TokenBatch batch, ForwardHooks? hooks = null);

    /// <summary>
    /// The residual stream after the last block [B,T,C], before the final layer norm; or after block
    /// <paramref name="lastBlock"/>, the blocks above it not run (reading an activation of an early layer).
    /// </summary>
    Tensor HiddenStates(TokenBatch batch, ForwardHooks? hooks = null, int? lastBlock = null);

    /// <summary>
    /// Runs the batch once with no gradient, for passes that change the residual stream after block
    /// <paramref name="layer"/> only at and after position <paramref name="firstChanged"/>[b] of each sequence:
    /// blocks 0..layer on every row (hooks run there), the blocks above on the rows before firstChanged[b], whose
    /// attention keys and values it keeps. See <see cref="FrozenPrefix"/>.
    /// </summary>
    FrozenPrefix Freeze(TokenBatch batch, int layer, int[] firstChanged, ForwardHooks? hooks = null);

    /// <summary>
    /// The blocks above prefix.Layer on the changed rows only, from their residual after prefix.Layer [n,C] (rows in
    /// prefix.ChangedRows order, e.g. prefix.Residual plus an intervention; it may require a gradient). Returns the
    /// residual stream after the last block at <paramref name="outputRows"/> (indices into the changed rows) [m,C]:
    /// the last block's MLP runs on those rows only. Hooks above prefix.Layer see [n,·] activations, in the last
    /// block [m,·] after its attention.
    /// </summary>
    Tensor Resume(FrozenPrefix prefix, Tensor residual, int[] outputRows, ForwardHooks? hooks = null);

    /// <summary>
    /// Generation's pass: every block on the flat rows <paramref name="rows"/> of the batch only (rows not computed
    /// before, e.g. each sequence's newest token), the earlier rows' attention keys and values read from
    /// <paramref name="cache"/>, which keeps these rows' too. Returns the residual stream after the last block at those
    /// rows [n,C]; no hooks, no gradient. See <see cref="AttentionCache"/>.
    /// </summary>
    Tensor Extend(TokenBatch batch, int[] rows, AttentionCache cache);

    /// <summary>Final layer norm and unembedding applied to a residual-stream activation [.., C] → [.., V].</summary>
    Tensor Unembed(Tensor hidden);

    /// <summary>The final layer norm alone [.., C] → [.., C]: the features the head multiplies.</summary>
    Tensor FinalNorm(Tensor hidden);

    /// <summary>The head Unembed applies after <see cref="FinalNorm"/>: logits = features · Weightᵀ (+ Bias); Weight [V,C], Bias [V] or null.</summary>
    (Tensor Weight, Tensor? Bias) Head { get; }

    /// <summary>The MLP down-projection weight of a layer (ROME's edited matrix) and how it is stored.</summary>
    (string Name, bool OutByIn) MlpDownProjection(int layer);

    /// <summary>The MLP up-projection weight of a layer.</summary>
    (string Name, bool OutByIn) MlpUpProjection(int layer);

    /// <summary>
    /// The same model with some parameters replaced by other tensors of the same shape (the rest shared, nothing
    /// copied). A replacement may be a tensor recorded on the tape, e.g. W + ΔW: MEND's loss on the edited model then
    /// back-propagates through ΔW into the editor.
    /// </summary>
    ICausalLanguageModel WithParameters(IReadOnlyDictionary<string, Tensor> replacements);
}
