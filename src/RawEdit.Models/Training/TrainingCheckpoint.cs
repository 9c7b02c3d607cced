using System.Globalization;
using System.Text.Json;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors;

namespace RawEdit.Models.Training;

/// <summary>
/// Checkpoints of a training run: DIR/step-NNNNNN/ holds the model (Hugging Face layout) and the optimiser
/// moments; DIR/latest names the newest complete one and is replaced atomically after it is written,
/// so a run killed at any moment resumes from a consistent state.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Pointer = "latest";
    private const string StateFile = "trainer.safetensors";

    public static void Save(LanguageModelTrainer trainer, string dir)
    {
        Directory.CreateDirectory(dir);
        string name = $"step-{trainer.Step:D6}";
        string folder = Path.Combine(dir, name);
        Gpt2Checkpoint.Save(trainer.Model, folder);
        var moments = trainer.Optimizer.Moments.SelectMany(m => new[]
        {
            TensorWriteSource.FromFloat32("m." + m.Name, TensorDType.F32, m.M.Shape.Select(d => (long)d).ToArray(), m.M.ToFloatArray()),
            TensorWriteSource.FromFloat32("v." + m.Name, TensorDType.F32, m.V.Shape.Select(d => (long)d).ToArray(), m.V.ToFloatArray()),
        });
        SafetensorsWriter.Write(Path.Combine(folder, StateFile), moments, new Dictionary<string, string>
        {
            ["step"] = trainer.Step.ToString(CultureInfo.InvariantCulture),
            ["options"] = JsonSerializer.Serialize(trainer.Options),
        });
        AtomicFile.WriteAllText(Path.Combine(dir, Pointer), name);
        foreach (var old in Directory.GetDirectories(dir, "step-*"))
            if (Path.GetFileName(old) != name) Directory.Delete(old, recursive: true);
    }

    /// <summary>The newest complete checkpoint folder, or null when the directory holds none.</summary>
    public static string? Latest(string dir)
    {
        string pointer = Path.Combine(dir, Pointer);
        if (!File.Exists(pointer)) return null;
        string folder = Path.Combine(dir, File.ReadAllText(pointer).Trim());
        return Directory.Exists(folder) ? folder : throw new InvalidDataException($"{pointer} names a missing checkpoint {folder}");
    }

    /// <summary>Restores model weights, optimiser moments and the step counter into a trainer built with the same options.</summary>
    public static void Restore(LanguageModelTrainer trainer, string folder)
    {
        using var state = SafetensorsFile.Open(Path.Combine(folder, StateFile));
        string saved = state.Metadata.GetValueOrDefault("options") ?? "";
        if (saved != JsonSerializer.Serialize(trainer.Options))
            throw new InvalidDataException($"{folder} was written with other training options: {saved}");
        var model = Gpt2Checkpoint.Load(folder).Model;
        foreach (var (name, tensor) in trainer.Model.Parameters) tensor.CopyFrom(model[name]);
        foreach (var (name, m, v) in trainer.Optimizer.Moments)
        {
            m.CopyFrom(Tensor.FromArray(state.ReadAsFloat32("m." + name), m.Shape));
            v.CopyFrom(Tensor.FromArray(state.ReadAsFloat32("v." + name), v.Shape));
        }
        trainer.Optimizer.Step = int.Parse(state.Metadata["step"], CultureInfo.InvariantCulture);
    }
}
