using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Editing.Rome;

/// <summary>Which key and value the rank-one update uses (see editing-methods.md §1–2).</summary>
public enum RomeMode
{
    /// <summary>The original implementation: u from the prefix-averaged key k̄, r from the unprefixed key k_s and value.</summary>
    Rome,
    /// <summary>"Rebuilding ROME": the prefix-averaged key and value everywhere.</summary>
    RRome,
    /// <summary>Prompt keys: the unprefixed k_s everywhere.</summary>
    PRome,
}

/// <summary>
/// ROME's hyperparameters, read from the same JSON keys as upstream <c>hparams/ROME/*.json</c>
/// (module-name templates are accepted and ignored: RawEdit addresses weights through its hooks).
/// </summary>
public sealed record RomeHyperParameters
{
    public int[] Layers { get; init; } = [17];
    public string FactToken { get; init; } = "subject_last";
    public int VNumGradSteps { get; init; } = 20;
    public double VLr { get; init; } = 0.5;
    public int VLossLayer { get; init; } = 47;
    public double VWeightDecay { get; init; } = 0.5;
    public double ClampNormFactor { get; init; } = 4;
    public double KlFactor { get; init; } = 0.0625;
    public bool Mom2Adjustment { get; init; } = true;
    /// <summary>[[length, count], …]: count prefixes of length tokens (the prompt token included), upstream [[5,10],[10,10]].</summary>
    public int[][] ContextTemplateLengthParams { get; init; } = [[5, 10], [10, 10]];
    public string Mom2Dataset { get; init; } = "wikipedia";
    public int Mom2NSamples { get; init; } = 100000;
    public string Mom2Dtype { get; init; } = "float32";

    /// <summary>Loss threshold below which the value optimisation stops (upstream hard-codes 5e-2).</summary>
    public const double EarlyStopLoss = 0.05;

    public int Layer => Layers.Length == 1 ? Layers[0] : throw new InvalidDataException($"ROME edits one layer; hparams give {Layers.Length}");

    private static readonly HashSet<string> IgnoredKeys =
    [
        "rewrite_module_tmp", "layer_module_tmp", "mlp_module_tmp", "attn_module_tmp", "ln_f_module", "lm_head_module",
        "enable_random_prefix_keys", "enable_prompt_keys", "original_implementation", "alg_name", "model_name", "device", "stats_dir",
    ];

    public static RomeHyperParameters Load(string path) => FromJson(HyperParameterJson.ReadObject(path), path);

    public static RomeHyperParameters FromJson(JsonObject json, string source = "hparams")
    {
        var h = new RomeHyperParameters();
        h = HyperParameterJson.Fold(json, h, (h, key, value) =>
            key switch
            {
                "layers" => h with { Layers = value!.AsArray().Select(v => v!.GetValue<int>()).ToArray() },
                "fact_token" => h with { FactToken = value!.GetValue<string>() },
                "v_num_grad_steps" => h with { VNumGradSteps = value!.GetValue<int>() },
                "v_lr" => h with { VLr = value!.GetValue<double>() },
                "v_loss_layer" => h with { VLossLayer = value!.GetValue<int>() },
                "v_weight_decay" => h with { VWeightDecay = value!.GetValue<double>() },
                "clamp_norm_factor" => h with { ClampNormFactor = value!.GetValue<double>() },
                "kl_factor" => h with { KlFactor = value!.GetValue<double>() },
                "mom2_adjustment" => h with { Mom2Adjustment = value!.GetValue<bool>() },
                "context_template_length_params" => h with { ContextTemplateLengthParams = value!.AsArray().Select(p => p!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray() },
                "mom2_dataset" => h with { Mom2Dataset = value!.GetValue<string>() },
                "mom2_n_samples" => h with { Mom2NSamples = value!.GetValue<int>() },
                "mom2_dtype" => h with { Mom2Dtype = value!.GetValue<string>() },
                _ when IgnoredKeys.Contains(key) => h,
                _ => throw new InvalidDataException($"{source}: unknown ROME hyperparameter '{key}'"),
            }, source);
        h.Validate(source);
        return h;
    }

    public void Validate(string source = "hparams")
    {
        void Require(bool ok, string what) { if (!ok) throw new InvalidDataException($"{source}: {what}"); }
        Require(Layers.Length > 0 && Layers.All(l => l >= 0), "layers must be a non-empty list of non-negative layer indices");
        Require(FactToken == "subject_last", $"fact_token '{FactToken}' is not supported (subject_last)");
        Require(VNumGradSteps >= 0 && VLr > 0, "v_num_grad_steps must be ≥ 0 and v_lr > 0");
        Require(VWeightDecay >= 0 && ClampNormFactor > 0 && KlFactor >= 0, "v_weight_decay and kl_factor must be ≥ 0, clamp_norm_factor > 0");
        Require(ContextTemplateLengthParams.All(p => p.Length == 2 && p[0] >= 1 && p[1] >= 0), "context_template_length_params must be [[length ≥ 1, count ≥ 0], …]");
    }

    /// <summary>Upstream's hparams for GPT-2 XL (hparams/ROME/gpt2-xl.json).</summary>
    public static RomeHyperParameters Gpt2Xl => new();

    /// <summary>Upstream's hparams for GPT-J 6B (hparams/ROME/EleutherAI_gpt-j-6B.json): GPT-2 XL's except the layers.</summary>
    public static RomeHyperParameters GptJ6B => new() { Layers = [5], VLossLayer = 27 };

    /// <summary>
    /// Defaults for the embedded 4-layer model: upstream's values except the layer, the step budget and the clamp.
    /// Measured on it: with layer 1 (or 2) and upstream's 20 steps, δ hits the 4·‖v_init‖ clamp and the unprefixed
    /// prompt keeps its old object; layer 0 with 40 steps and a 10·‖v_init‖ clamp rewrites it (target NLL 13.4 → 0.3).
    /// Layer 3 is the last block: its MLP at the subject cannot reach the prediction at all.
    /// </summary>
    public static RomeHyperParameters TinyWorld => new() { Layers = [0], VNumGradSteps = 40, ClampNormFactor = 10, VLossLayer = 3, Mom2NSamples = 20000 };
}
