using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Emmet;

/// <summary>An EMMET batch edit: MEMIT's result shape, and the layers whose D had to be pseudo-inverted.</summary>
internal sealed record EmmetResult(MemitResult Batch, IReadOnlyList<int> PseudoInverseLayers);

/// <summary>
/// EMMET for a batch of requests: MEMIT's pipeline (z at block L_last, template-grouped keys, the residual spread
/// R/(L − i) over the layers, each layer's update applied before the next layer's keys are read, restored at the
/// end: upstream execute_emmet does all of these as memit_main does) with <see cref="EmmetUpdate"/> as each layer's solve.
/// </summary>
internal static class EmmetEditor
{
    public static EmmetResult Compute(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<EditRequest> requests, IReadOnlyList<string> contextTemplates,
        EmmetHyperParameters h, Func<int, SecondMoment> secondMoment, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Compute(model, requests.Select(r => RomePrompts.Build(tokenizer, r, contextTemplates)).ToList(), h, secondMoment, progress, cancellationToken);

    public static EmmetResult Compute(ICausalLanguageModel model, IReadOnlyList<RomePrompts> requests, EmmetHyperParameters h,
        Func<int, SecondMoment> secondMoment, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var pseudoInverse = new List<int>();
        var workspace = new Lazy<double[]>(() => GC.AllocateUninitializedArray<double>(checked(model.MlpWidth * model.MlpWidth)));   // C', reused by every layer
        var batch = MemitEditor.Compute(model, requests, h, (index, layer, keys) =>
        {
            var moment = MemitEditor.SecondMomentOf(model, h, layer, secondMoment);
            var solution = EmmetUpdate.AdjustedKeys(layer, keys, h, moment, moment.IsIdentity ? null : workspace.Value);
            if (solution.PseudoInverse)
            {
                pseudoInverse.Add(layer);
                progress?.Report(new EditProgress(EditStage.LayerUpdates, index, h.Layers.Length,
                    $"EMMET at layer {layer}: D = KᵀC'⁻¹K{(keys.Length > 1 && h.EmmetLambda > 0 ? $" + {h.EmmetLambda:G3}·I" : "")} is singular " +
                    "(duplicate or zero keys?); used its pseudo-inverse, as upstream does"));
            }
            return solution.AdjustedKeys;
        }, progress, cancellationToken: cancellationToken);
        return new EmmetResult(batch, pseudoInverse);
    }
}
