using RawEdit.Tensors.Backend;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.GptJ;

namespace RawEdit.Models;

/// <summary>Loads and saves a Hugging Face model folder of any supported architecture, chosen by config.json's model_type.</summary>
internal static class ModelCheckpoint
{
    public sealed record Loaded(ICausalLanguageModel Model, KeyLayout Layout, IReadOnlyDictionary<string, TensorDType> StoredTypes);

    /// <summary>
    /// <see cref="Load"/> on the CPU (the readers map and convert in host memory), then the parameters moved to the
    /// caller's default backend (<see cref="Backends.Default"/>: the CLI's --device, a test fixture's) if that is not
    /// the CPU; half weights stay half.
    /// </summary>
    public static Loaded LoadOnDefaultBackend(string folder, WeightPrecision precision = WeightPrecision.Auto)
    {
        var device = Backends.Default;
        Loaded loaded;
        using (Backends.Use(Backends.Cpu)) loaded = Load(folder, precision);
        if (!ReferenceEquals(device, Backends.Cpu))
            foreach (var parameter in loaded.Model.Parameters.Values) parameter.MoveTo(device);
        return loaded;
    }

    /// <summary>Loads a model folder; <paramref name="precision"/> chooses whether F16/BF16 matrices stay half (Auto: when fp32 would not fit).</summary>
    public static Loaded Load(string folder, WeightPrecision precision = WeightPrecision.Auto)
    {
        string configPath = Path.Combine(folder, "config.json");
        string modelType = HfConfigJson.ModelType(HfConfigJson.Read(configPath), configPath);
        switch (modelType)
        {
            case "gpt2":
                var gpt2 = Gpt2Checkpoint.Load(folder, precision);
                return new Loaded(gpt2.Model, gpt2.Layout, gpt2.StoredTypes);
            case "gptj":
                var gptj = GptJCheckpoint.Load(folder, precision);
                return new Loaded(gptj.Model, KeyLayout.TransformerPrefix, gptj.StoredTypes);
            default:
                throw new InvalidDataException($"{configPath}: model_type '{modelType}' is not supported (gpt2, gptj)");
        }
    }

    /// <summary>Saves in the architecture's Hugging Face layout; <paramref name="layout"/> applies to GPT-2 (GPT-J has one).</summary>
    public static void Save(ICausalLanguageModel model, string folder, KeyLayout layout,
        IReadOnlyDictionary<string, TensorDType>? storedTypes, IReadOnlyDictionary<string, string>? metadata)
    {
        switch (model)
        {
            case Gpt2Model gpt2: Gpt2Checkpoint.Save(gpt2, folder, layout, storedTypes, metadata); break;
            case GptJModel gptj: GptJCheckpoint.Save(gptj, folder, storedTypes, metadata); break;
            default: throw new NotSupportedException($"saving {model.Architecture} models is not supported");
        }
    }
}
