using System.Text.Json.Nodes;
using RawEdit.Editing.Memit;

namespace RawEdit.Editing.Emmet;

/// <summary>
/// EMMET's hyperparameters: MEMIT's keys plus upstream's own (scalable-model-editing/unified-model-editing,
/// emmet/emmet_hparams.py), read from the same JSON keys; defaults are upstream's <c>hparams/EMMET/gpt2-xl.json</c>
/// (layer 17, clamp 0.75, mom2_update_weight 1000, emmet_lambda 0.1, update_norm_lambda 0).
/// calculate_objective_value, prob_cutoff and norm_control are accepted and ignored: upstream's emmet_main.py uses the
/// first only for diagnostic distances and never reads the other two.
/// </summary>
internal sealed record EmmetHyperParameters : MemitHyperParameters
{
    public EmmetHyperParameters()
    {
        Layers = [17];
        Mom2UpdateWeight = 1000;
    }

    /// <summary>λ_E added to D = KᵀC'⁻¹K when the batch has more than one key (one key: ROME's equality constraint, exactly).</summary>
    public double EmmetLambda { get; init; } = 0.1;

    /// <summary>Added to C' = w·C as update_norm_lambda·I (0: not added).</summary>
    public double UpdateNormLambda { get; init; }

    protected override string Method => "EMMET";

    private static readonly HashSet<string> DiagnosticKeys = ["calculate_objective_value", "prob_cutoff", "norm_control"];

    protected override ValueEditHyperParameters? ReadOwn(string key, JsonNode value) => key switch
    {
        "emmet_lambda" => this with { EmmetLambda = value.GetValue<double>() },
        "update_norm_lambda" => this with { UpdateNormLambda = value.GetValue<double>() },
        _ when DiagnosticKeys.Contains(key) => this,
        _ => base.ReadOwn(key, value),
    };

    public static new EmmetHyperParameters Load(string path) => Load(path, FromJson);

    public static new EmmetHyperParameters FromJson(JsonObject json, string source = "hparams") => Read(new EmmetHyperParameters(), json, source);

    public override void Validate(string source = "hparams")
    {
        base.Validate(source);
        Require(source, EmmetLambda >= 0 && double.IsFinite(EmmetLambda), "emmet_lambda must be a finite number ≥ 0");
        Require(source, UpdateNormLambda >= 0 && double.IsFinite(UpdateNormLambda), "update_norm_lambda must be a finite number ≥ 0");
        Require(source, Mom2UpdateWeight > 0 || UpdateNormLambda > 0, "C' = mom2_update_weight·C + update_norm_lambda·I must be invertible: one of them must be > 0");
    }

    /// <summary>Upstream's hparams for GPT-2 XL (hparams/EMMET/gpt2-xl.json).</summary>
    public static new EmmetHyperParameters Gpt2Xl => new();

    /// <summary>Upstream's hparams for GPT-J 6B (hparams/EMMET/EleutherAI_gpt-j-6B.json): layer 5, 25 steps, w = 10000.</summary>
    public static new EmmetHyperParameters GptJ6B => new() { Layers = [5], VLossLayer = 27, VNumGradSteps = 25, Mom2UpdateWeight = 10000 };

    /// <summary>
    /// The embedded model: MEMIT's tiny-world settings (layers 0–1, z at block 1, 80 steps, clamp 4), with w = 2000 so
    /// that a batch (n &gt; 1, λ_E = 0.1) equals MEMIT's tiny-world λ = 200 (push-through identity, editing-methods.md §4b).
    /// One request ignores w: the equality ΔW k = r holds whatever C's scale.
    /// </summary>
    public static new EmmetHyperParameters TinyWorld => new()
    {
        Layers = [0, 1], VLossLayer = 3, VNumGradSteps = 80, ClampNormFactor = 4, Mom2UpdateWeight = 2000, Mom2NSamples = 20000,
    };

    /// <summary>
    /// The second shipped model: its MEMIT settings, w = 2000 as for tiny-world (a batch then equals MEMIT's λ = 200). First 20
    /// world cases in one batch: 90 / 82.5 / 95.5 (ES / PS / NS), MEMIT's figures, as the identity says.
    /// </summary>
    public static new EmmetHyperParameters SmallWorld => TinyWorld with { VLossLayer = 7 };
}
