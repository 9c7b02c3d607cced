using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Editing;

/// <summary>
/// What ROME and MEMIT share in their upstream hparams JSON: the edited layers, the value (v*/z) optimisation
/// and the second-moment statistics. Each method's record adds its own keys; reading and validating the shared
/// ones is done here once. Module-name templates and bookkeeping keys are accepted and ignored: RawEdit
/// addresses weights through its hooks.
/// </summary>
internal abstract record ValueEditHyperParameters
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
    public string Mom2Dataset { get; init; } = "wikipedia";
    public int Mom2NSamples { get; init; } = 100000;
    public string Mom2Dtype { get; init; } = "float32";

    /// <summary>Loss threshold below which the value optimisation stops (upstream hard-codes 5e-2).</summary>
    public const double EarlyStopLoss = 0.05;

    private static readonly HashSet<string> IgnoredKeys =
    [
        "rewrite_module_tmp", "layer_module_tmp", "mlp_module_tmp", "attn_module_tmp", "ln_f_module", "lm_head_module",
        "alg_name", "model_name", "device", "stats_dir",
    ];

    /// <summary>The method's name in error messages ("ROME", "MEMIT").</summary>
    protected abstract string Method { get; }

    /// <summary>The method's name in error messages ("ROME", "MEMIT", "EMMET", "AlphaEdit").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string MethodName => Method;

    /// <summary>Applies a method-specific key; null when the key is not the method's own.</summary>
    protected abstract ValueEditHyperParameters? ReadOwn(string key, JsonNode value);

    protected static T Load<T>(string path, Func<JsonObject, string, T> fromJson) => fromJson(HyperParameterJson.ReadObject(path), path);

    /// <summary>The file's keys over <paramref name="defaults"/> (a model's preset): a partial file changes only what it names.</summary>
    public static T Overlay<T>(string path, T defaults) where T : ValueEditHyperParameters => Read(defaults, HyperParameterJson.ReadObject(path), path);

    /// <summary>Reads every key of <paramref name="json"/> onto <paramref name="defaults"/>; unknown keys and wrong types are errors.</summary>
    protected static T Read<T>(T defaults, JsonObject json, string source) where T : ValueEditHyperParameters
    {
        var h = HyperParameterJson.Fold<ValueEditHyperParameters>(json, defaults, (h, key, value) => h.ReadOwn(key, value!) ?? key switch
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
            "mom2_dataset" => h with { Mom2Dataset = value!.GetValue<string>() },
            "mom2_n_samples" => h with { Mom2NSamples = value!.GetValue<int>() },
            "mom2_dtype" => h with { Mom2Dtype = value!.GetValue<string>() },
            _ when IgnoredKeys.Contains(key) => h,
            _ => throw new InvalidDataException($"{source}: unknown {h.Method} hyperparameter '{key}'"),
        }, source);
        h.Validate(source);
        return (T)h;
    }

    public virtual void Validate(string source = "hparams")
    {
        Require(source, Layers.Length > 0 && Layers.All(l => l >= 0), "layers must be a non-empty list of non-negative layer indices");
        Require(source, FactToken == "subject_last", $"fact_token '{FactToken}' is not supported (subject_last)");
        Require(source, VNumGradSteps >= 0 && VLr > 0, "v_num_grad_steps must be ≥ 0 and v_lr > 0");
        Require(source, VWeightDecay >= 0 && ClampNormFactor > 0 && KlFactor >= 0, "v_weight_decay and kl_factor must be ≥ 0, clamp_norm_factor > 0");
        Require(source, Mom2NSamples >= 1, "mom2_n_samples must be ≥ 1");
    }

    protected static void Require(string source, bool ok, string what)
    {
        if (!ok) throw new InvalidDataException($"{source}: {what}");
    }
}
