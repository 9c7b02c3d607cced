using RawEdit.Models.Checkpoints;

namespace RawEdit.Models.GptJ;

/// <summary>Reads and writes GPT-J checkpoints in Hugging Face layout (config.json + safetensors or PyTorch .bin, single or sharded).</summary>
internal static class GptJCheckpoint
{
    public sealed record Loaded(GptJModel Model, IReadOnlyDictionary<string, TensorDType> StoredTypes);

    /// <summary>Loads a model folder; <paramref name="precision"/> chooses whether F16/BF16 matrices stay half.</summary>
    public static Loaded Load(string folder, WeightPrecision precision = WeightPrecision.Float32)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"model folder not found: {folder}");
        var config = GptJConfig.Load(Path.Combine(folder, "config.json"));
        using var checkpoint = CheckpointFolder.Open(folder);
        var read = CheckpointParameters.ReadParameters(checkpoint, folder, "GPT-J", CheckpointParameters.IsMaskBuffer, key => key, precision);
        try
        {
            return new Loaded(new GptJModel(config, read.Parameters), read.StoredTypes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{folder}: {e.Message}", e);
        }
    }

    /// <summary>Writes config.json and model.safetensors under Hugging Face's keys, half-stored tensors kept half.</summary>
    public static void Save(GptJModel model, string folder,
        IReadOnlyDictionary<string, TensorDType>? storedTypes = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        CheckpointParameters.Save(folder, GptJModel.ExpectedShapes(model.Config).Select(p => (p.Name, p.Name, p.Shape)),
            model.Parameters, storedTypes, metadata, model.Config.ToJson());
}
