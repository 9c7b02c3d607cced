using System.Text.Json;
using RawEdit.Models.Checkpoints;
using RawEdit.Tensors;

namespace RawEdit.Models.Gpt2;

/// <summary>How a checkpoint spells its keys, so an edited model saves back the way it came.</summary>
public enum KeyLayout
{
    /// <summary><c>transformer.h.0…</c>, as <c>save_pretrained</c> writes GPT2LMHeadModel.</summary>
    TransformerPrefix,
    /// <summary><c>h.0…</c> with <c>h.N.attn.bias</c> mask buffers, as in the hub's gpt2 … gpt2-xl files.</summary>
    Bare,
}

/// <summary>Reads and writes GPT-2 checkpoints in Hugging Face layout (config.json + safetensors, single or sharded).</summary>
public static class Gpt2Checkpoint
{
    private const string Prefix = "transformer.";

    public sealed record Loaded(Gpt2Model Model, KeyLayout Layout, IReadOnlyDictionary<string, TensorDType> StoredTypes);

    public static Loaded Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"model folder not found: {folder}");
        var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
        using var checkpoint = ShardedCheckpoint.Open(folder);
        var layout = checkpoint.Entries.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal)) ? KeyLayout.TransformerPrefix : KeyLayout.Bare;

        var parameters = new Dictionary<string, Tensor>();
        var stored = new Dictionary<string, TensorDType>();
        foreach (var (key, entry) in checkpoint.Entries)
        {
            if (IsIgnored(key)) continue;
            string name = layout == KeyLayout.Bare ? Prefix + key : key;
            if (entry.DType is not (TensorDType.F32 or TensorDType.F16 or TensorDType.BF16 or TensorDType.F64))
                throw new InvalidDataException($"{folder}: parameter '{key}' has dtype {entry.DType}; GPT-2 weights must be floating point");
            var shape = entry.Shape.Select(d => checked((int)d)).ToArray();
            parameters[name] = Tensor.FromArray(checkpoint.ReadAsFloat32(key), shape);
            stored[name] = entry.DType;
        }
        try
        {
            return new Loaded(new Gpt2Model(config, parameters), layout, stored);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{folder}: {e.Message}", e);
        }
    }

    /// <summary>Mask buffers and the tied head carry no parameters of their own.</summary>
    private static bool IsIgnored(string key) =>
        key.EndsWith(".attn.bias", StringComparison.Ordinal) || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal) || key == "lm_head.weight";

    /// <summary>
    /// Writes config.json and model.safetensors (each atomically: temp file, then rename). Tensors keep their
    /// stored dtype when known (F16/BF16 checkpoints stay so), else F32.
    /// </summary>
    public static void Save(Gpt2Model model, string folder, KeyLayout layout = KeyLayout.TransformerPrefix,
        IReadOnlyDictionary<string, TensorDType>? storedTypes = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(folder);
        var sources = Gpt2Model.ExpectedShapes(model.Config).Select(p =>
        {
            var tensor = model[p.Name];
            var dtype = storedTypes is not null && storedTypes.TryGetValue(p.Name, out var t) && t is TensorDType.F16 or TensorDType.BF16 ? t : TensorDType.F32;
            string key = layout == KeyLayout.Bare ? p.Name[Prefix.Length..] : p.Name;
            return TensorWriteSource.FromFloat32(key, dtype, p.Shape.Select(d => (long)d).ToArray(), () => tensor.ToFloatArray());
        }).ToList();
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), sources, meta);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"),
            model.Config.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
