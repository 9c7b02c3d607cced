using RawEdit.Editing.Requests;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Memit;

/// <summary>
/// MEMIT with one request per edit as an <see cref="IEditMethod"/>. With n = 1 each layer's update
/// Δ_i = R_i [(λC + kkᵀ)⁻¹k]ᵀ is exactly rank one: u = (λC + kkᵀ)⁻¹k [F], r = the spread residual [C], so the edit is
/// one term per layer, whose float32 product reproduces the dense ΔW up to rounding. The layers' keys come from
/// <see cref="MemitEditor"/>.Compute
/// itself (each layer's with the earlier layers' update in place), so both paths share one computation.
/// </summary>
internal sealed class MemitEditMethod(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> contextTemplates,
    MemitHyperParameters hparams, Func<int, SecondMoment> secondMoment) : IBatchEditMethod
{
    public string Name => "memit";

    public IReadOnlyList<string> EditedWeights { get; } = hparams.EditedWeights(model);

    public ComputedEdit Compute(EditRequest request, CancellationToken cancellationToken = default) =>
        FromResult(MemitEditor.Compute(model, tokenizer, [request], contextTemplates, hparams, secondMoment, cancellationToken: cancellationToken));

    /// <summary>All requests in one MEMIT batch: one dense ΔW per edited layer (as upstream's apply_memit_to_model).</summary>
    public ComputedEdit ComputeBatch(IReadOnlyList<EditRequest> requests, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        return AsBatch(Batch(requests, progress, cancellationToken));
    }

    /// <summary>A batch result of any MEMIT-family method as one dense update per layer, with |Δ| per layer among the figures.</summary>
    public static ComputedEdit AsBatch(MemitResult result)
    {
        var figures = new Dictionary<string, double> { ["requests"] = result.Values.Count };
        foreach (var layer in result.Layers) figures[$"delta_magnitude_layer_{layer.Layer}"] = layer.Delta.NormalizedMagnitude;
        return new ComputedEdit([], figures, result.Edit);
    }

    /// <summary>The batch with every intermediate (keys, residuals, each request's value optimisation), for reports.</summary>
    public MemitResult Batch(IReadOnlyList<EditRequest> requests, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default) =>
        MemitEditor.Compute(model, tokenizer, requests, contextTemplates, hparams, secondMoment, progress, cancellationToken);

    /// <summary>A one-request MEMIT result on this model as rank-one terms (one per layer, in layer order) and its figures.</summary>
    public ComputedEdit FromResult(MemitResult result) => AsRankOneTerms(model, result);

    /// <summary>
    /// A one-request result of any MEMIT-family method (MEMIT, EMMET, AlphaEdit: Δ_i = R_i Aᵀ) as rank-one terms
    /// u = the adjusted key A_0 [F], r = the spread residual [C], one per layer in layer order, and its figures.
    /// </summary>
    public static ComputedEdit AsRankOneTerms(ICausalLanguageModel model, MemitResult result)
    {
        if (result.Values.Count != 1) throw new ArgumentException($"an edit of {result.Values.Count} requests is not one rank-one term per layer");
        var terms = result.Layers.Select(l => new RankOneEdit(l.Delta.WeightName, ToFloat(l.AdjustedKeys[0]), ToFloat(l.SpreadResiduals[0]),
            model.MlpDownProjection(l.Layer).OutByIn)).ToList();
        var value = result.Values[0];
        var figures = new Dictionary<string, double>
        {
            ["delta_norm"] = VectorNorm.Of(value.Delta),
            ["adam_steps"] = value.AdamSteps,
            ["loss_first"] = value.LossTrace[0],
            ["loss_last"] = value.LossTrace[^1],
        };
        // ‖Δ_i‖_F = ‖r_i‖·‖u_i‖: the spread residual and the adjusted key separate what a large update is made of (the
        // value the layer must write, or the solve's division, e.g. EMMET's 1/(kᵀC⁻¹k) against MEMIT's 1/(λ + kᵀC⁻¹k)).
        foreach (var (layer, term) in result.Layers.Zip(terms))
        {
            figures[$"delta_magnitude_layer_{layer.Layer}"] = term.NormalizedMagnitude;
            figures[$"key_norm_layer_{layer.Layer}"] = VectorNorm.Of(layer.Keys[0]);
            figures[$"adjusted_key_norm_layer_{layer.Layer}"] = VectorNorm.Of(layer.AdjustedKeys[0]);
            figures[$"residual_norm_layer_{layer.Layer}"] = VectorNorm.Of(layer.SpreadResiduals[0]);
        }
        return new ComputedEdit(terms, figures);
    }

    private static float[] ToFloat(double[] values) => values.Select(x => (float)x).ToArray();
}
