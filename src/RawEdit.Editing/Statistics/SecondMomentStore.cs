using System.Globalization;
using System.Runtime.InteropServices;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Editing.Statistics;

/// <summary>What a cached second moment was computed from; all of it must match for the cache to be reused.</summary>
internal sealed record SecondMomentKey(string ModelHash, int Layer, string CorpusHash, int Samples)
{
    public string FileName => $"mom2-layer{Layer}-{CorpusHash[..16]}-{Samples}.safetensors";
    public string Folder(string root) => Path.Combine(root, ModelHash[..16]);
}

/// <summary>
/// Second-moment statistics on disk: ROOT/&lt;model hash&gt;/mom2-layerL-&lt;corpus hash&gt;-N.safetensors, the matrix in F64
/// and the full key in the metadata. Written atomically; a file whose metadata disagrees is never used.
/// </summary>
internal static class SecondMomentStore
{
    public static string PathOf(string root, SecondMomentKey key) => Path.Combine(key.Folder(root), key.FileName);

    public static SecondMoment? TryLoad(string root, SecondMomentKey key)
    {
        string path = PathOf(root, key);
        if (!File.Exists(path)) return null;
        using var file = SafetensorsFile.Open(path);
        var meta = file.Metadata;
        bool matches = meta.GetValueOrDefault("model_hash") == key.ModelHash && meta.GetValueOrDefault("corpus_hash") == key.CorpusHash
            && meta.GetValueOrDefault("layer") == key.Layer.ToString(CultureInfo.InvariantCulture)
            && meta.GetValueOrDefault("samples") == key.Samples.ToString(CultureInfo.InvariantCulture);
        if (!matches) throw new InvalidDataException($"{path}: its metadata does not match the model, layer, corpus or sample count asked for");
        var entry = file.GetEntry("C");
        if (entry.DType != TensorDType.F64 || entry.Rank != 2 || entry.Shape[0] != entry.Shape[1])
            throw new InvalidDataException($"{path}: 'C' must be a square F64 matrix");
        int n = (int)entry.Shape[0];
        var matrix = MemoryMarshal.Cast<byte, double>(file.RawBytes("C")).ToArray();
        return new SecondMoment(matrix, n, long.Parse(meta["tokens"], CultureInfo.InvariantCulture))
        {
            Documents = int.Parse(meta["documents"], CultureInfo.InvariantCulture),
        };
    }

    public static string Save(string root, SecondMomentKey key, SecondMoment moment)
    {
        string path = PathOf(root, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = MemoryMarshal.AsBytes(moment.Matrix.AsSpan()).ToArray();
        SafetensorsWriter.Write(path, [TensorWriteSource.FromRaw("C", TensorDType.F64, [moment.Dimension, moment.Dimension], bytes)],
            new Dictionary<string, string>
            {
                ["model_hash"] = key.ModelHash, ["layer"] = key.Layer.ToString(CultureInfo.InvariantCulture),
                ["corpus_hash"] = key.CorpusHash, ["samples"] = key.Samples.ToString(CultureInfo.InvariantCulture),
                ["documents"] = moment.Documents.ToString(CultureInfo.InvariantCulture),
                ["tokens"] = moment.Tokens.ToString(CultureInfo.InvariantCulture), ["accumulation"] = "float64",
            });
        return path;
    }
}
