using System.Globalization;

namespace RawEdit.Models.Checkpoints;

internal static partial class SafetensorsWriter
{
    /// <summary>
    /// Splits tensors into shards of at most <paramref name="maxShardBytes"/> bytes of tensor data
    /// (a larger tensor gets a shard of its own), keeping the caller's order for shard assignment,
    /// and writes <c>model-0000i-of-0000n.safetensors</c> plus <c>model.safetensors.index.json</c>
    /// into <paramref name="folder"/>. Every file is first written under a temporary name; only
    /// when all of them succeeded are they renamed into place, shards first and the index last.
    /// Returns the shard file names in order.
    /// </summary>
    public static IReadOnlyList<string> WriteSharded(string folder, IEnumerable<TensorWriteSource> tensors,
        long maxShardBytes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        PlatformCheck.RequireLittleEndian();
        Directory.CreateDirectory(folder);

        var shards = SplitIntoShards(Materialize(tensors), maxShardBytes);

        var names = new List<string>(shards.Count);
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        long totalSize = 0;
        using var staged = new StagedFiles();
        for (int i = 0; i < shards.Count; i++)
        {
            string shardName = ShardFileName(i + 1, shards.Count);
            names.Add(shardName);
            var ordered = SortByName(shards[i]);
            foreach (var tensor in ordered)
            {
                weightMap.Add(tensor.Name, shardName);
                totalSize += tensor.ByteLength;
            }
            staged.Stage(Path.Combine(folder, shardName), stream => WriteContent(stream, ordered, metadata));
        }
        staged.Stage(Path.Combine(folder, ShardIndex.FileName),
            stream => ShardIndex.Write(stream, weightMap, totalSize));
        staged.Commit();
        return names;
    }

    /// <summary>Hugging Face's shard naming: 1-based, five digits.</summary>
    public static string ShardFileName(int index, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"model-{index:D5}-of-{count:D5}.safetensors");

    private static List<List<TensorWriteSource>> SplitIntoShards(IReadOnlyList<TensorWriteSource> tensors, long maxShardBytes)
    {
        var shards = new List<List<TensorWriteSource>>();
        var current = new List<TensorWriteSource>();
        long currentBytes = 0;
        foreach (var tensor in tensors)
        {
            if (current.Count > 0 && currentBytes + tensor.ByteLength > maxShardBytes)
            {
                shards.Add(current);
                current = new List<TensorWriteSource>();
                currentBytes = 0;
            }
            current.Add(tensor);
            currentBytes += tensor.ByteLength;
        }
        if (current.Count > 0 || shards.Count == 0)
        {
            shards.Add(current);
        }
        return shards;
    }
}
