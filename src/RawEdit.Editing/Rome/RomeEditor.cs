using RawEdit.Editing.Requests;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Rome;

/// <summary>Everything one ROME edit computed: the update and the vectors behind it (CurrentValue: the value r subtracts).</summary>
internal sealed record RomeResult(RankOneEdit Edit, RomeMode Mode, float[] KBar, float[] KS, float[] U, float[] VS, float[] VBar,
    ValueOptimization Value, float[] R, double Denominator, float[] CurrentValue)
{
    public double KeyNorm => VectorNorm.Of(Mode == RomeMode.PRome ? KS : KBar);
    public double ValueNorm => VectorNorm.Of(Value.VStar);
    public double DeltaNorm => VectorNorm.Of(Value.Delta);
}

/// <summary>
/// ROME (Meng et al. 2022) in the three behaviours users compare (editing-methods.md §1–2):
///   u = C⁻¹k / ‖C⁻¹k‖ with k = k̄ (rome, r-rome) or k_s (p-rome);
///   rome:   r = (v_init + δ − v_s) / (k_s·u)   — the original code's mixed keys
///   r-rome: r = (v_init + δ − v̄) / (k̄·u)      — prefix-averaged key and value everywhere
///   p-rome: r = (v_init + δ − v_s) / (k_s·u)   with u from k_s
///   ΔW = u ⊗ r  (Ŵ = W + Λ(C⁻¹k)ᵀ in the paper's orientation).
/// k_j, v_j are the MLP down projection's input and output at the subject's last token of key prompt j;
/// k̄, v̄ their means; k_s, v_s those of the unprefixed prompt (j = 0).
/// </summary>
internal static class RomeEditor
{
    public static RomeResult Compute(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, EditRequest request, IReadOnlyList<string> contextTemplates,
        RomeHyperParameters h, RomeMode mode, SecondMoment secondMoment, CancellationToken cancellationToken = default) =>
        Compute(model, RomePrompts.Build(tokenizer, request, contextTemplates), h, mode, secondMoment, cancellationToken);

    public static RomeResult Compute(ICausalLanguageModel model, RomePrompts prompts, RomeHyperParameters h, RomeMode mode, SecondMoment secondMoment,
        CancellationToken cancellationToken = default)
    {
        int layer = h.Layer;
        if (layer >= model.Layers) throw new ArgumentException($"ROME layer {layer} does not exist in a {model.Layers}-layer model");
        if (secondMoment.Dimension != model.MlpWidth)
            throw new ArgumentException($"second moment of dimension {secondMoment.Dimension} does not match the key width {model.MlpWidth}");
        secondMoment.Factorize();   // a singular C fails here, before the value optimisation
        var value = ValueOptimizer.Optimize(model, layer, prompts, h, subjectReads: [(HookPoint.MlpKey, layer), (HookPoint.MlpOut, layer)],
            cancellationToken: cancellationToken);
        // A rewrite prompt is its key prompt followed by target[:-1]: under causal attention the key prompt's activations
        // are the rewrite prompt's, which the value optimisation's frozen pass has read already.
        var (keys, values) = prompts.Keys.Count == prompts.Rewrites.Count && prompts.Keys.Zip(prompts.Rewrites).All(p => StartsWith(p.Second, p.First))
            ? (value.SubjectReads[0], value.SubjectReads[1])
            : SubjectActivations.Read(model, layer, prompts.Keys);
        float[] kBar = SubjectActivations.Mean(keys), kS = keys[0];
        float[] vBar = SubjectActivations.Mean(values), vS = values[0];

        var u = Normalize(secondMoment.Solve(mode == RomeMode.PRome ? kS : kBar));

        var denominatorKey = mode == RomeMode.RRome ? kBar : kS;
        var currentValue = h.ResidualValue switch
        {
            RomeResidualValue.Prompt => vS,
            RomeResidualValue.Averaged => vBar,
            _ => mode == RomeMode.RRome ? vBar : vS,
        };
        double denominator = Dot(denominatorKey, u);
        if (!double.IsFinite(denominator) || Math.Abs(denominator) < 1e-12)
            throw new InvalidOperationException($"ROME denominator k·u = {denominator:G3}: the key is orthogonal to the update direction");
        var r = new float[model.Embedding];
        for (int i = 0; i < r.Length; i++) r[i] = (float)((value.VInit[i] + (double)value.Delta[i] - currentValue[i]) / denominator);
        if (r.Any(x => !float.IsFinite(x))) throw new InvalidOperationException("ROME produced a non-finite update");

        var (name, outByIn) = model.MlpDownProjection(layer);
        var edit = new RankOneEdit(name, u.Select(x => (float)x).ToArray(), r, outByIn);
        return new RomeResult(edit, mode, kBar, kS, edit.U, vS, vBar, value, r, denominator, currentValue);
    }

    private static bool StartsWith(IndexedPrompt prompt, IndexedPrompt prefix) =>
        prompt.SubjectLast == prefix.SubjectLast && prompt.Ids.AsSpan().StartsWith(prefix.Ids);

    private static double[] Normalize(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        if (!(norm > 0)) throw new InvalidOperationException("the ROME key is zero: the subject does not activate the edited layer");
        return v.Select(x => x / norm).ToArray();
    }

    private static double Dot(float[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
