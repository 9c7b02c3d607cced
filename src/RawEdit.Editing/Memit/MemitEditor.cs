using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Memit;

/// <summary>
/// One edited layer: what its update was computed from. Shapes: Keys and AdjustedKeys (the method's solve, e.g. MEMIT's
/// (λC + KKᵀ)⁻¹k_j) [n][F], CurrentZ, Residuals and SpreadResiduals (residual / (L − i)) [n][C];
/// Delta = Σ_j AdjustedKeys_j ⊗ SpreadResiduals_j.
/// </summary>
internal sealed record MemitLayer(int Layer, float[][] Keys, float[][] CurrentZ, double[][] Residuals, double[][] AdjustedKeys, double[][] SpreadResiduals,
    WeightDelta Delta);

/// <summary>
/// A MEMIT-family batch edit: the per-layer updates as one value, each request's z optimisation, each layer's inputs.
/// KeysAfterEdit [layers][n][F], when asked for, are the keys at every edited layer read again with all of the batch's
/// updates in place (AlphaEdit adds them to its preserved keys).
/// </summary>
internal sealed record MemitResult(DenseEdit Edit, IReadOnlyList<ValueOptimization> Values, IReadOnlyList<MemitLayer> Layers)
{
    /// <summary>z_j = h_init + δ_j [n][C], what block L_last should output at each request's subject.</summary>
    public float[][] Targets => Values.Select(v => v.VStar).ToArray();

    public IReadOnlyList<float[][]>? KeysAfterEdit { get; init; }
}

/// <summary>
/// The per-layer solve that tells MEMIT, EMMET and AlphaEdit apart: the adjusted keys A [n][F] of layer
/// <paramref name="layer"/> (position <paramref name="index"/> in the edited layers) from its keys [n][F], so that
/// Δ = R_i Aᵀ = Σ_j A_j ⊗ R_i,j.
/// </summary>
internal delegate double[][] LayerSolve(int index, int layer, float[][] keys);

/// <summary>
/// MEMIT (Meng et al. 2023, editing-methods.md §3) for a batch of requests:
///   z_j  = h_init + δ_j, δ_j from ROME's objective with δ added to block L_last's output (compute_z);
///   for layer l_i (i = 0..L−1, increasing), with the layers before it already updated:
///     k_j  = mean over template groups of the group's mean key at l_i (compute_ks),
///     R_i  = (z_j − h_{L_last}(request j)) / (L − i),
///     Δ_i  = R_i [(λC + KKᵀ)⁻¹K]ᵀ (<see cref="MemitUpdate"/>), W_{l_i} ← W_{l_i} + Δ_i.
/// The model's weights are restored afterwards; the result carries the deltas (apply them with its Edit).
/// EMMET and AlphaEdit run the same pipeline with their own Δ_i (<see cref="LayerSolve"/>).
/// </summary>
internal static class MemitEditor
{
    /// <summary>Prompts per forward pass when reading keys: bounds activation memory for thousands of requests.</summary>
    public const int PromptsPerForward = 64;

    /// <summary>MEMIT's template groups: the unprefixed template alone, then all prefixed ones ([["{}"], [5 prefixed]]).</summary>
    public static int[][] Groups(int templates) =>
        templates == 1 ? [[0]] : [[0], Enumerable.Range(1, templates - 1).ToArray()];

    /// <summary>MEMIT's context templates: "{}" and one 10-token continuation of each of "The", "Therefore", "Because", "I", "You".</summary>
    public static IReadOnlyList<string> Templates(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, int seed = 0) =>
        ContextTemplates.GenerateFromWords(model, tokenizer, ContextTemplates.MemitWords, MemitHyperParameters.ContextTemplateLength, seed);

    public static MemitResult Compute(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<EditRequest> requests, IReadOnlyList<string> contextTemplates,
        MemitHyperParameters h, Func<int, SecondMoment> secondMoment, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Compute(model, requests.Select(r => RomePrompts.Build(tokenizer, r, contextTemplates)).ToList(), h, secondMoment, progress, cancellationToken);

    public static MemitResult Compute(ICausalLanguageModel model, IReadOnlyList<RomePrompts> requests, MemitHyperParameters h,
        Func<int, SecondMoment> secondMoment, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var system = new Lazy<double[]>(() => GC.AllocateUninitializedArray<double>(checked(model.MlpWidth * model.MlpWidth)));   // λC + KKᵀ, reused by every layer
        return Compute(model, requests, h, (_, layer, keys) =>
            MemitUpdate.AdjustedKeys(layer, keys, h.Mom2UpdateWeight, SecondMomentOf(model, h, layer, secondMoment), system.Value), progress,
            cancellationToken: cancellationToken);
    }

    /// <summary>C at <paramref name="layer"/>: the statistics, or the identity when mom2_adjustment is off; checked against the key width.</summary>
    public static SecondMoment SecondMomentOf(ICausalLanguageModel model, ValueEditHyperParameters h, int layer, Func<int, SecondMoment> secondMoment)
    {
        var moment = h.Mom2Adjustment ? secondMoment(layer) : SecondMoment.Identity(model.MlpWidth);
        if (moment.Dimension != model.MlpWidth)
            throw new ArgumentException($"second moment of dimension {moment.Dimension} at layer {layer} does not match the key width {model.MlpWidth}");
        return moment;
    }

    /// <summary>
    /// The MEMIT pipeline with <paramref name="solve"/> as each layer's update; with <paramref name="readKeysAfterEdit"/>
    /// the keys are read once more at every layer with the whole batch's updates in place (before the restore).
    /// </summary>
    public static MemitResult Compute(ICausalLanguageModel model, IReadOnlyList<RomePrompts> requests, MemitHyperParameters h, LayerSolve solve,
        IProgress<EditProgress>? progress = null, bool readKeysAfterEdit = false, CancellationToken cancellationToken = default)
    {
        if (requests.Count == 0) throw new ArgumentException($"{h.MethodName} needs at least one request");
        int templates = requests[0].Keys.Count;
        if (requests.Any(r => r.Keys.Count != templates)) throw new ArgumentException("every request needs the same context templates");
        h.CheckFits(model);
        var groups = Groups(templates);

        var values = new List<ValueOptimization>();
        foreach (var request in requests)
        {
            values.Add(ValueOptimizer.Optimize(model, h.ZLayer, request, h, HookPoint.BlockOut, h.VLossLayer, cancellationToken: cancellationToken));
            progress?.Report(new EditProgress(EditStage.TargetValues, values.Count, requests.Count,
                $"z optimised for {values.Count}/{requests.Count} requests"));
        }
        var targets = values.Select(v => v.VStar).ToArray();

        var layers = new List<MemitLayer>();
        var applied = new List<AppliedEdit>();
        List<float[][]>? keysAfter = null;
        try
        {
            for (int i = 0; i < h.Layers.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int layer = h.Layers[i];
                var (keys, current) = KeysAndCurrentZ(model, requests, groups, layer, h.ZLayer);
                var residuals = targets.Select((z, j) => z.Select((x, o) => (double)x - current[j][o]).ToArray()).ToArray();
                double spread = 1.0 / (h.Layers.Length - i);
                var (name, outByIn) = model.MlpDownProjection(layer);
                var spreadResiduals = residuals.Select(r => r.Select(x => x * spread).ToArray()).ToArray();
                var adjusted = solve(i, layer, keys);
                var delta = MemitUpdate.Delta(name, outByIn, layer, adjusted, spreadResiduals);
                applied.Add(new DenseEdit([delta]).ApplyTo(model));
                layers.Add(new MemitLayer(layer, keys, current, residuals, adjusted, spreadResiduals, delta));
                progress?.Report(new EditProgress(EditStage.LayerUpdates, i + 1, h.Layers.Length, $"layer {layer}: |Δ| {delta.NormalizedMagnitude:E3}"));
            }
            if (readKeysAfterEdit) keysAfter = h.Layers.Select(l => KeysAndCurrentZ(model, requests, groups, l, h.ZLayer).Keys).ToList();
        }
        finally
        {
            for (int i = applied.Count - 1; i >= 0; i--) applied[i].Revert();
        }
        return new MemitResult(new DenseEdit(layers.Select(l => l.Delta).ToList()), values, layers) { KeysAfterEdit = keysAfter };
    }

    /// <summary>
    /// Keys at <paramref name="layer"/> averaged within, then across, template groups [n][F], and block
    /// <paramref name="zLayer"/>'s output at the unprefixed prompt [n][C], from the same forward passes.
    /// </summary>
    private static (float[][] Keys, float[][] CurrentZ) KeysAndCurrentZ(ICausalLanguageModel model, IReadOnlyList<RomePrompts> requests, int[][] groups,
        int layer, int zLayer)
    {
        int templates = requests[0].Keys.Count;
        var read = SubjectActivations.Read(model, requests.SelectMany(r => r.Keys).ToList(), [(HookPoint.MlpKey, layer), (HookPoint.BlockOut, zLayer)], PromptsPerForward);
        var keys = new float[requests.Count][];
        var current = new float[requests.Count][];
        for (int j = 0; j < requests.Count; j++)
        {
            var mean = new double[model.MlpWidth];
            foreach (var group in groups)
                foreach (int t in group)
                {
                    var k = read[0][j * templates + t];
                    for (int a = 0; a < mean.Length; a++) mean[a] += k[a] / ((double)group.Length * groups.Length);
                }
            keys[j] = mean.Select(x => (float)x).ToArray();
            current[j] = read[1][j * templates];
        }
        return (keys, current);
    }
}
