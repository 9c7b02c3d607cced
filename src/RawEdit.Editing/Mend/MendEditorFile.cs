using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Tensors;

namespace RawEdit.Editing.Mend;

/// <summary>
/// A trained MEND editor as safetensors: every parameter (F32, the names of <see cref="MendEditor.Parameters"/>),
/// the normalisation statistics ("{shape}.stats.{u|d}_{mean|m2}", F64) and, in the metadata, the hyperparameters,
/// the statistics' row counts and the fingerprint of the model it was trained for.
/// </summary>
internal static class MendEditorFile
{
    public const string EditorFileName = "editor.safetensors";

    public static void Save(MendEditor editor, ICausalLanguageModel model, string path, IEnumerable<TensorWriteSource>? extra = null,
        IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var tensors = editor.Parameters().Select(p => Float32(p.Name, p.Value)).ToList();
        var metadata = new Dictionary<string, string>
        {
            ["rawedit.method"] = "mend",
            ["hparams"] = editor.Hparams.ToJson().ToJsonString(),
            ["inner_params"] = new JsonArray(editor.Matrices.Select(m => (JsonNode)m.Name).ToArray()).ToJsonString(),
            ["model_fingerprint"] = ModelFingerprint.Compute(model),
        };
        foreach (var (key, network) in editor.Networks)
        {
            tensors.Add(Float64($"{key}.stats.u_mean", network.InputStatistics.Mean));
            tensors.Add(Float64($"{key}.stats.u_m2", network.InputStatistics.M2));
            tensors.Add(Float64($"{key}.stats.d_mean", network.GradientStatistics.Mean));
            tensors.Add(Float64($"{key}.stats.d_m2", network.GradientStatistics.M2));
            metadata[$"{key}.stats.count"] = network.InputStatistics.Count.ToString(CultureInfo.InvariantCulture);
        }
        if (extra is not null) tensors.AddRange(extra);
        foreach (var (k, v) in extraMetadata ?? new Dictionary<string, string>()) metadata[k] = v;
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>The editor file a path names: the path itself, or editor.safetensors in the folder it names.</summary>
    public static string FilePath(string path) => Directory.Exists(path) ? Path.Combine(path, EditorFileName) : path;

    /// <summary>Loads an editor saved by <see cref="Save"/> (a file, or a folder holding editor.safetensors) for this model.</summary>
    public static MendEditor Load(string path, ICausalLanguageModel model)
    {
        path = FilePath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"MEND editor not found: {path}", path);
        using var file = SafetensorsFile.Open(path);
        var editor = Restore(file, model, path);
        if (file.Metadata.GetValueOrDefault("model_fingerprint") != ModelFingerprint.Compute(model))
            throw new InvalidDataException($"{path}: this MEND editor was trained for other model weights");
        return editor;
    }

    /// <summary>Builds the editor described by the file's metadata and copies its tensors in.</summary>
    internal static MendEditor Restore(SafetensorsFile file, ICausalLanguageModel model, string path)
    {
        if (file.Metadata.GetValueOrDefault("rawedit.method") != "mend") throw new InvalidDataException($"{path}: not a MEND editor file");
        var hparams = MendHyperParameters.FromJson(JsonNode.Parse(file.Metadata["hparams"])!.AsObject(), path);
        var editor = MendEditor.Create(model, hparams);
        var names = JsonNode.Parse(file.Metadata["inner_params"])!.AsArray().Select(n => (string)n!).ToList();
        if (!names.SequenceEqual(editor.Matrices.Select(m => m.Name)))
            throw new InvalidDataException($"{path}: the editor's matrices ({string.Join(", ", names)}) do not match the model's");
        foreach (var (name, tensor) in editor.Parameters()) tensor.CopyFrom(Tensor.FromArray(Read(file, name, tensor.Length, path), tensor.Shape));
        foreach (var (key, network) in editor.Networks)
        {
            ReadInto(file, $"{key}.stats.u_mean", network.InputStatistics.Mean, path);
            ReadInto(file, $"{key}.stats.u_m2", network.InputStatistics.M2, path);
            ReadInto(file, $"{key}.stats.d_mean", network.GradientStatistics.Mean, path);
            ReadInto(file, $"{key}.stats.d_m2", network.GradientStatistics.M2, path);
            long count = long.Parse(file.Metadata[$"{key}.stats.count"], CultureInfo.InvariantCulture);
            network.InputStatistics.Count = network.GradientStatistics.Count = count;
        }
        return editor;
    }

    internal static TensorWriteSource Float32(string name, Tensor t) =>
        TensorWriteSource.FromFloat32(name, TensorDType.F32, t.Shape.Select(d => (long)d).ToArray(), t.ToFloatArray());

    private static TensorWriteSource Float64(string name, double[] values) =>
        TensorWriteSource.FromRaw(name, TensorDType.F64, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    internal static float[] Read(SafetensorsFile file, string name, long length, string path)
    {
        if (!file.Contains(name)) throw new InvalidDataException($"{path}: missing tensor '{name}'");
        var values = file.ReadAsFloat32(name);
        return values.Length == length ? values : throw new InvalidDataException($"{path}: '{name}' has {values.Length} elements, expected {length}");
    }

    private static void ReadInto(SafetensorsFile file, string name, double[] destination, string path)
    {
        if (!file.Contains(name) || file.GetEntry(name).DType != TensorDType.F64) throw new InvalidDataException($"{path}: missing F64 tensor '{name}'");
        var values = MemoryMarshal.Cast<byte, double>(file.RawBytes(name));
        if (values.Length != destination.Length) throw new InvalidDataException($"{path}: '{name}' has {values.Length} elements, expected {destination.Length}");
        values.CopyTo(destination);
    }
}
