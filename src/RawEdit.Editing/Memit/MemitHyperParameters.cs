using System.Text.Json.Nodes;
using RawEdit.Models;

namespace RawEdit.Editing.Memit;

/// <summary>
/// MEMIT's hyperparameters, read from the same JSON keys as upstream <c>hparams/MEMIT/*.json</c> (the keys shared
/// with ROME by <see cref="ValueEditHyperParameters"/>); defaults are upstream's <c>gpt2-xl.json</c>.
/// mom2_adjustment = false stands for C = identity (upstream always uses the statistics). EMMET and AlphaEdit read the
/// same keys plus their own (their records derive from this one).
/// </summary>
internal record MemitHyperParameters : ValueEditHyperParameters
{
    public MemitHyperParameters()
    {
        Layers = [13, 14, 15, 16, 17];
        ClampNormFactor = 0.75;
    }

    /// <summary>Upstream's layer_selection; only "all" (edit every listed layer) exists in its code paths we follow.</summary>
    public string LayerSelection { get; init; } = "all";

    /// <summary>λ in Δ = R [(λC + KKᵀ)⁻¹K]ᵀ: how strongly the statistics hold the old keys' values in place.</summary>
    public double Mom2UpdateWeight { get; init; } = 20000;

    /// <summary>Tokens per sampled context template (the start word included), upstream's max_out_len = 10.</summary>
    public const int ContextTemplateLength = 10;

    /// <summary>The block whose output receives δ and whose output the update aims at (L_last).</summary>
    public int ZLayer => Layers[^1];

    protected override string Method => "MEMIT";

    protected override ValueEditHyperParameters? ReadOwn(string key, JsonNode value) => key switch
    {
        "layer_selection" => this with { LayerSelection = value.GetValue<string>() },
        "mom2_update_weight" => this with { Mom2UpdateWeight = value.GetValue<double>() },
        _ => null,
    };

    public static MemitHyperParameters Load(string path) => Load(path, FromJson);

    public static MemitHyperParameters FromJson(JsonObject json, string source = "hparams") => Read(new MemitHyperParameters(), json, source);

    public override void Validate(string source = "hparams")
    {
        base.Validate(source);
        Require(source, Layers.Zip(Layers.Skip(1)).All(p => p.First < p.Second), $"{Method} layers must be increasing and distinct, got [{string.Join(", ", Layers)}]");
        Require(source, LayerSelection == "all", $"layer_selection '{LayerSelection}' is not supported (all)");
        Require(source, Mom2UpdateWeight >= 0 && double.IsFinite(Mom2UpdateWeight), "mom2_update_weight must be a finite number ≥ 0");
    }

    /// <summary>The weights an edit changes on <paramref name="model"/>: each layer's MLP down projection, in layer order.</summary>
    public IReadOnlyList<string> EditedWeights(ICausalLanguageModel model) => Layers.Select(l => model.MlpDownProjection(l).Name).ToList();

    /// <summary>Checks the layers against a model.</summary>
    public void CheckFits(ICausalLanguageModel model)
    {
        if (ZLayer >= model.Layers) throw new ArgumentException($"{Method} layer {ZLayer} does not exist in a {model.Layers}-layer model");
        if (VLossLayer < ZLayer || VLossLayer >= model.Layers)
            throw new ArgumentException($"v_loss_layer {VLossLayer} must lie between the last edited layer ({ZLayer}) and the model's last block ({model.Layers - 1})");
    }

    /// <summary>Upstream's hparams for GPT-2 XL (hparams/MEMIT/gpt2-xl.json).</summary>
    public static MemitHyperParameters Gpt2Xl => new();

    /// <summary>Upstream's hparams for GPT-J 6B (hparams/MEMIT/EleutherAI_gpt-j-6B.json): layers 3–8, 25 steps, λ = 15000.</summary>
    public static MemitHyperParameters GptJ6B => new() { Layers = [3, 4, 5, 6, 7, 8], VLossLayer = 27, VNumGradSteps = 25, Mom2UpdateWeight = 15000 };

    /// <summary>
    /// Defaults for the embedded 4-layer model, measured on its first 10 world edit cases in one batch (ES / PS / NS):
    /// upstream's values give 0 / 0 / 100: λ = 20000 keeps the update negligible (‖ΔW‖_F ≈ 0.1) and 20 steps inside a
    /// 0.75·‖h‖ ball leave the z loss at 1–5. λ = 200, clamp 4 and 40 steps give 80 / 85 / 99 (λ = 2000: 0 / 0 / 100;
    /// λ = 20 or 2: 80 / 85 / 98); 80 steps at upstream's learning rate bring every z loss to ≤ 0.54 and
    /// give 100 / 100 / 99. Layers 0–1 with z at block 1: adding layer 2 (z at block 2) drops to 50 / 30 / 98, and
    /// z at the last block could move only the prediction at the subject's own position, by construction.
    /// </summary>
    public static MemitHyperParameters TinyWorld => new()
    {
        Layers = [0, 1], VLossLayer = 3, VNumGradSteps = 80, ClampNormFactor = 4, Mom2UpdateWeight = 200, Mom2NSamples = 20000,
    };

    /// <summary>
    /// The second shipped model (8 layers): tiny-world's settings on layers 0–1 (z at block 1), v_loss_layer its last block.
    /// Measured on its first 20 world cases in one batch: 90 / 82.5 / 95.5 (ES / PS / NS). On the step-12,300 snapshot layers
    /// 0–1 95 / 92.5 / 97.5 against 0–2 95 / 92.5 / 94.5, 0–3 95 / 87.5 / 95 and 1–2 90 / 82.5 / 95.
    /// </summary>
    public static MemitHyperParameters SmallWorld => TinyWorld with { VLossLayer = 7 };
}
