using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Emmet;

/// <summary>
/// EMMET with one request per edit (batch of 1) as an <see cref="IEditMethod"/>: D = kᵀC'⁻¹k is a scalar, no λ_E is
/// added, so each layer's update is the rank-one u = C'⁻¹k / (kᵀC'⁻¹k), r = the spread residual, and ΔW k = r holds
/// exactly (ROME's constraint, on MEMIT's layers and keys).
/// </summary>
internal sealed class EmmetEditMethod(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> contextTemplates,
    EmmetHyperParameters hparams, Func<int, SecondMoment> secondMoment) : IBatchEditMethod
{
    public string Name => "emmet";

    public IReadOnlyList<string> EditedWeights { get; } = hparams.EditedWeights(model);

    public ComputedEdit Compute(EditRequest request, CancellationToken cancellationToken = default) =>
        FromResult(model, EmmetEditor.Compute(model, tokenizer, [request], contextTemplates, hparams, secondMoment, cancellationToken: cancellationToken));

    /// <summary>All requests in one EMMET batch (λ_E added when there are several): one dense ΔW per layer.</summary>
    public ComputedEdit ComputeBatch(IReadOnlyList<EditRequest> requests, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var result = EmmetEditor.Compute(model, tokenizer, requests, contextTemplates, hparams, secondMoment, progress, cancellationToken);
        var edit = MemitEditMethod.AsBatch(result.Batch);
        return edit with { Figures = new Dictionary<string, double>(edit.Figures) { ["pseudo_inverse"] = result.PseudoInverseLayers.Count > 0 ? 1 : 0 } };
    }

    /// <summary>A one-request EMMET result as rank-one terms and figures (pseudo_inverse = 1 when a layer needed D⁺).</summary>
    public static ComputedEdit FromResult(ICausalLanguageModel model, EmmetResult result)
    {
        var edit = MemitEditMethod.AsRankOneTerms(model, result.Batch);
        var figures = new Dictionary<string, double>(edit.Figures) { ["pseudo_inverse"] = result.PseudoInverseLayers.Count > 0 ? 1 : 0 };
        return edit with { Figures = figures };
    }
}
