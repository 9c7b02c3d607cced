using RawEdit.Models.Checkpoints;
using RawEdit.Tensors;

namespace RawEdit.Models.Gpt2;

/// <summary>How a checkpoint spells its keys, so an edited model saves back the way it came.</summary>
internal enum KeyLayout
{
    /// <summary><c>transformer.h.0…</c>, as <c>save_pretrained</c> writes GPT2LMHeadModel.</summary>
    TransformerPrefix,
    /// <summary><c>h.0…</c> with <c>h.N.attn.bias</c> mask buffers, as in the hub's gpt2 … gpt2-xl files.</summary>
    Bare,
}

/// <summary>Reads and writes GPT-2 checkpoints in Hugging Face layout (config.json + safetensors or PyTorch .bin, single or sharded).</summary>
internal static class Gpt2Checkpoint
{
    private const string Prefix = "transformer.";

    public sealed record Loaded(Gpt2Model Model, KeyLayout Layout, IReadOnlyDictionary<string, TensorDType> StoredTypes);

    /// <summary>Loads a model folder; <paramref name="precision"/> chooses whether F16/BF16 matrices stay half.</summary>
    public static Loaded Load(string folder, WeightPrecision precision = WeightPrecision.Float32)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"model folder not found: {folder}");
        var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
        using var checkpoint = CheckpointFolder.Open(folder);
        var layout = checkpoint.Names.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal)) ? KeyLayout.TransformerPrefix : KeyLayout.Bare;

        var read = CheckpointParameters.ReadParameters(checkpoint, folder, "GPT-2", IsIgnored, key => layout == KeyLayout.Bare ? Prefix + key : key, precision);
        try
        {
            return new Loaded(new Gpt2Model(config, read.Parameters), layout, read.StoredTypes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{folder}: {e.Message}", e);
        }
    }

    /// <summary>Mask buffers and the tied head carry no parameters of their own.</summary>
    private static bool IsIgnored(string key) =>
        CheckpointParameters.IsMaskBuffer(key) || key == "lm_head.weight";

    /// <summary>
    /// Writes config.json and model.safetensors (each atomically: temp file, then rename). Tensors keep their
    /// stored dtype when known (F16/BF16 checkpoints stay so), else F32.
    /// </summary>
    public static void Save(Gpt2Model model, string folder, KeyLayout layout = KeyLayout.TransformerPrefix,
        IReadOnlyDictionary<string, TensorDType>? storedTypes = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layoutKeys = Gpt2Model.ExpectedShapes(model.Config)
            .Select(p => (layout == KeyLayout.Bare ? p.Name[Prefix.Length..] : p.Name, p.Name, p.Shape));
        CheckpointParameters.Save(folder, layoutKeys, model.Parameters, storedTypes, metadata, model.Config.ToJson());
    }
}
