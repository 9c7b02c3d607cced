using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.AlphaEdit;

/// <summary>
/// AlphaEdit with one request per edit as an <see cref="IPreservingEditMethod"/>: each layer's update is the rank-one
/// u = (P(kkᵀ + K_pK_pᵀ) + L2·I)⁻¹ P k, r = the spread residual. The edit's keys read after its update (one per layer)
/// are its <see cref="ComputedEdit.PreservedKeys"/>; once the caller accepts them they join K_pK_pᵀ for every later edit
/// (upstream adds them after each batch, a batch being one request here).
/// </summary>
internal sealed class AlphaEditEditMethod(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> contextTemplates,
    AlphaEditHyperParameters hparams, Func<int, NullSpaceProjector> projector) : IPreservingEditMethod, IBatchEditMethod
{
    private readonly PreservedKeySums preserved = new(model.MlpWidth);

    public string Name => "alphaedit";

    public IReadOnlyList<string> EditedWeights { get; } = hparams.EditedWeights(model);

    /// <summary>How many keys each layer preserves so far.</summary>
    public int PreservedCount(int layer) => preserved.Count(layer);

    public ComputedEdit Compute(EditRequest request, CancellationToken cancellationToken = default)
    {
        var result = AlphaEditEditor.Compute(model, tokenizer, [request], contextTemplates, hparams, projector, preserved, cancellationToken: cancellationToken);
        var edit = MemitEditMethod.AsRankOneTerms(model, result);
        var figures = new Dictionary<string, double>(edit.Figures);
        foreach (int layer in hparams.Layers)
        {
            figures[$"nullspace_rank_layer_{layer}"] = projector(layer).Rank;
            figures[$"preserved_keys_layer_{layer}"] = preserved.Count(layer);
        }
        var keys = hparams.Layers.Select((layer, i) => new PreservedKey(layer, result.KeysAfterEdit![i][0])).ToList();
        return edit with { Figures = figures, PreservedKeys = keys };
    }

    /// <summary>
    /// All requests in one AlphaEdit batch, projected away from the keys accepted so far: one dense ΔW per layer; the
    /// batch's keys read after its update are its preserved keys (every request's, at every layer).
    /// </summary>
    public ComputedEdit ComputeBatch(IReadOnlyList<EditRequest> requests, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var result = AlphaEditEditor.Compute(model, tokenizer, requests, contextTemplates, hparams, projector, preserved, progress, cancellationToken);
        var keys = hparams.Layers.SelectMany((layer, i) => result.KeysAfterEdit![i].Select(k => new PreservedKey(layer, k))).ToList();
        return MemitEditMethod.AsBatch(result) with { PreservedKeys = keys };
    }

    public void Accept(IReadOnlyList<PreservedKey> keys)
    {
        foreach (var key in keys)
        {
            if (!hparams.Layers.Contains(key.Layer)) throw new ArgumentException($"a preserved key for layer {key.Layer}, which AlphaEdit does not edit here");
            preserved.Add(key.Layer, key.Key);
        }
    }
}
