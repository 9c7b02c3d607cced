using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using RawEdit.Editing.AlphaEdit;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Editing.Statistics;

/// <summary>
/// AlphaEdit's null-space projectors cached beside the second moments they come from:
/// ROOT/&lt;model hash&gt;/nullspace-layerL-&lt;corpus hash&gt;-N-tT.safetensors holds Û [m, F] ("basis", F64) and the
/// singular values [F], with the statistics' key and the threshold in the metadata. Computed once per (model, layer,
/// statistics, threshold); also kept in memory for the process. A folder that cannot be written (a read-only checkout)
/// only costs the decomposition again next time.
/// </summary>
internal static class NullSpaceStore
{
    private static readonly ConcurrentDictionary<string, NullSpaceProjector> Loaded = new();

    public static string PathOf(string root, SecondMomentKey key, double threshold) =>
        Path.Combine(key.Folder(root), $"nullspace-layer{key.Layer}-{key.CorpusHash[..16]}-{key.Samples}-t{Format(threshold)}.safetensors");

    /// <summary>The cached projector, or one computed from <paramref name="secondMoment"/> and saved (a failed save is reported, not fatal).</summary>
    public static NullSpaceProjector LoadOrCompute(string root, SecondMomentKey key, double threshold, Func<SecondMoment> secondMoment, IProgress<string>? progress = null)
    {
        string path = PathOf(root, key, threshold);
        return Loaded.GetOrAdd(path, _ =>
        {
            if (TryLoad(path, key, threshold) is { } cached) return cached;
            var projector = NullSpaceProjector.Compute(secondMoment(), key.Layer, threshold);
            try { Save(path, key, projector); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                progress?.Report($"could not cache the layer-{key.Layer} null-space projector at {path} ({e.Message})");
            }
            return projector;
        });
    }

    public static NullSpaceProjector? TryLoad(string path, SecondMomentKey key, double threshold)
    {
        if (!File.Exists(path)) return null;
        using var file = SafetensorsFile.Open(path);
        var meta = file.Metadata;
        bool matches = meta.GetValueOrDefault("model_hash") == key.ModelHash && meta.GetValueOrDefault("corpus_hash") == key.CorpusHash
            && meta.GetValueOrDefault("layer") == key.Layer.ToString(CultureInfo.InvariantCulture)
            && meta.GetValueOrDefault("samples") == key.Samples.ToString(CultureInfo.InvariantCulture)
            && meta.GetValueOrDefault("threshold") == Format(threshold);
        if (!matches) throw new InvalidDataException($"{path}: its metadata does not match the model, layer, statistics or threshold asked for");
        var singular = MemoryMarshal.Cast<byte, double>(file.RawBytes("singular_values")).ToArray();
        var basis = MemoryMarshal.Cast<byte, double>(file.RawBytes("basis")).ToArray();
        return new NullSpaceProjector(key.Layer, singular.Length, threshold, basis, singular);
    }

    private static void Save(string path, SecondMomentKey key, NullSpaceProjector p)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafetensorsWriter.Write(path,
        [
            TensorWriteSource.FromRaw("basis", TensorDType.F64, [p.Rank, p.Dimension], MemoryMarshal.AsBytes(p.Basis.AsSpan()).ToArray()),
            TensorWriteSource.FromRaw("singular_values", TensorDType.F64, [p.Dimension], MemoryMarshal.AsBytes(p.SingularValues.AsSpan()).ToArray()),
        ], new Dictionary<string, string>
        {
            ["model_hash"] = key.ModelHash, ["layer"] = key.Layer.ToString(CultureInfo.InvariantCulture), ["corpus_hash"] = key.CorpusHash,
            ["samples"] = key.Samples.ToString(CultureInfo.InvariantCulture), ["threshold"] = Format(p.Threshold),
            ["rank"] = p.Rank.ToString(CultureInfo.InvariantCulture),
        });
    }

    private static string Format(double threshold) => threshold.ToString("R", CultureInfo.InvariantCulture);
}
