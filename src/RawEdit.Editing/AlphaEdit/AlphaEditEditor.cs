using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.AlphaEdit;

/// <summary>
/// AlphaEdit for a batch of requests: MEMIT's pipeline (z at block L_last, template-grouped keys, R/(L − i) spread,
/// layers in increasing order, each one's update in place before the next layer's keys are read) with
/// <see cref="AlphaEditUpdate"/> as each layer's solve, against the preserved keys of the earlier batches. Upstream edits
/// the weights in place and keeps them; here they are restored and the result carries the deltas, which is the same
/// model once applied. After the updates, upstream recomputes the keys of this batch on the edited model and adds
/// K Kᵀ to cache_c (apply_AlphaEdit_to_model's last loop): those keys are the result's KeysAfterEdit.
/// </summary>
internal static class AlphaEditEditor
{
    public static MemitResult Compute(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<EditRequest> requests, IReadOnlyList<string> contextTemplates,
        AlphaEditHyperParameters h, Func<int, NullSpaceProjector> projector, PreservedKeySums? preserved = null, IProgress<EditProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Compute(model, requests.Select(r => RomePrompts.Build(tokenizer, r, contextTemplates)).ToList(), h, projector, preserved, progress, cancellationToken);

    public static MemitResult Compute(ICausalLanguageModel model, IReadOnlyList<RomePrompts> requests, AlphaEditHyperParameters h,
        Func<int, NullSpaceProjector> projector, PreservedKeySums? preserved = null, IProgress<EditProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        MemitEditor.Compute(model, requests, h, (_, layer, keys) =>
        {
            var p = projector(layer);
            if (p.Dimension != model.MlpWidth)
                throw new ArgumentException($"null-space projector of dimension {p.Dimension} at layer {layer} does not match the key width {model.MlpWidth}");
            return AlphaEditUpdate.AdjustedKeys(layer, keys, p, preserved?.Of(layer), h.L2);
        }, progress, readKeysAfterEdit: true, cancellationToken);
}
