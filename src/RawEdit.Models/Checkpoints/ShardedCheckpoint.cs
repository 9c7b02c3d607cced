using RawEdit.Tensors.Cpu;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// One name-to-tensor view over a checkpoint folder: either a single <c>model.safetensors</c>
/// or the shards listed by <c>model.safetensors.index.json</c>. On open, the index and the
/// shards are cross-checked: every listed shard exists, every name is in the shard it is mapped
/// to, and no shard holds a tensor the index does not map to it.
/// </summary>
internal sealed class ShardedCheckpoint : ITensorCheckpoint
{
    private readonly IReadOnlyList<SafetensorsFile> _shards;
    private readonly Dictionary<string, SafetensorsFile> _owner;
    
    private ShardedCheckpoint(string location, IReadOnlyList<SafetensorsFile> shards,
        Dictionary<string, SafetensorsFile> owner, IReadOnlyDictionary<string, string> indexMetadata)
    {
        Location = location;
        _shards = shards;
        _owner = owner;
        Entries = owner.ToDictionary(p => p.Key, p => p.Value.Entries[p.Key], StringComparer.Ordinal).AsReadOnly();
        IndexMetadata = indexMetadata;
    }

    /// <summary>
    /// Opens a checkpoint folder, or directly a <c>.safetensors</c> file or an <c>*.index.json</c> file.
    /// A folder holding both a single file and an index is refused as ambiguous.
    /// </summary>
    public static ShardedCheckpoint Open(string folderOrFile)
    {
        ArgumentNullException.ThrowIfNull(folderOrFile);
        if (File.Exists(folderOrFile))
        {
            return folderOrFile.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase)
                ? OpenIndexed(folderOrFile)
                : OpenSingle(folderOrFile);
        }
        if (!Directory.Exists(folderOrFile))
        {
            throw new DirectoryNotFoundException($"{folderOrFile}: no such checkpoint folder or file.");
        }
        string single = Path.Combine(folderOrFile, ShardIndex.SingleFileName);
        string index = Path.Combine(folderOrFile, ShardIndex.FileName);
        bool hasSingle = File.Exists(single);
        bool hasIndex = File.Exists(index);
        if (hasSingle && hasIndex)
        {
            throw CheckpointFormatError.Create(folderOrFile,
                $"folder holds both {ShardIndex.SingleFileName} and {ShardIndex.FileName}; remove one so the checkpoint is unambiguous");
        }
        if (hasIndex) return OpenIndexed(index);
        if (hasSingle) return OpenSingle(single);
        throw new FileNotFoundException(
            $"{folderOrFile}: neither {ShardIndex.SingleFileName} nor {ShardIndex.FileName} found.", single);
    }

    /// <summary>The folder or file this checkpoint was opened from.</summary>
    public string Location { get; }

    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }

    /// <summary>Shard files in index order (a single element for an unsharded checkpoint).</summary>
    public IReadOnlyList<SafetensorsFile> Shards => _shards;

    /// <summary>The index's "metadata" object (e.g. total_size as JSON text); empty when unsharded.</summary>
    public IReadOnlyDictionary<string, string> IndexMetadata { get; }

    public IReadOnlyCollection<string> Names => _owner.Keys;

    public TensorDType DTypeOf(string name) => GetEntry(name).DType;

    public long[] ShapeOf(string name) => GetEntry(name).Shape;

    public bool Contains(string name) => _owner.ContainsKey(name);

    public TensorEntry GetEntry(string name) => ShardOf(name).GetEntry(name);

    /// <summary>The shard file that holds <paramref name="name"/>.</summary>
    public SafetensorsFile ShardOf(string name) => _owner.TryGetValue(name, out var shard)
        ? shard
        : throw new KeyNotFoundException($"{Location}: no tensor named '{name}'.");

    public float[] ReadAsFloat32(string name) => ShardOf(name).ReadAsFloat32(name);

    public void ReadAsFloat32(string name, Span<float> destination) => ShardOf(name).ReadAsFloat32(name, destination);

    public void ReadAsFloat32(string name, long firstElement, Span<float> destination) =>
        ShardOf(name).ReadAsFloat32(name, firstElement, destination);

    public CpuHalfStorage? MapHalf(string name, CpuBackend backend) => ShardOf(name).MapHalf(name, backend);

    public ReadOnlySpan<byte> RawBytes(string name) => ShardOf(name).RawBytes(name);

    public ReadOnlyMemory<byte> RawMemory(string name) => ShardOf(name).RawMemory(name);

    public long[] ReadAsInt64(string name) => ShardOf(name).ReadAsInt64(name);

    public int[] ReadAsInt32(string name) => ShardOf(name).ReadAsInt32(name);

    public void Dispose()
    {
        foreach (var shard in _shards)
        {
            shard.Dispose();
        }
    }

    private static ShardedCheckpoint OpenSingle(string path)
    {
        var file = SafetensorsFile.Open(path);
        var owner = file.Entries.Keys.ToDictionary(name => name, _ => file, StringComparer.Ordinal);
        return new ShardedCheckpoint(path, new[] { file }, owner, new Dictionary<string, string>());
    }

    private static ShardedCheckpoint OpenIndexed(string indexPath)
    {
        var index = ShardIndex.Read(indexPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var shardNames = index.WeightMap.Values.Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (string shardName in shardNames)
        {
            if (!File.Exists(Path.Combine(folder, shardName)))
            {
                throw CheckpointFormatError.Create(indexPath, $"shard '{shardName}' listed in the index does not exist");
            }
        }

        var opened = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (string shardName in shardNames)
            {
                opened.Add(shardName, SafetensorsFile.Open(Path.Combine(folder, shardName)));
            }
            var owner = CrossCheck(indexPath, index, opened);
            return new ShardedCheckpoint(indexPath, shardNames.Select(n => opened[n]).ToList(), owner, index.Metadata);
        }
        catch
        {
            foreach (var file in opened.Values)
            {
                file.Dispose();
            }
            throw;
        }
    }

    private static Dictionary<string, SafetensorsFile> CrossCheck(string indexPath, ShardIndex index,
        IReadOnlyDictionary<string, SafetensorsFile> shards)
    {
        var owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        foreach (var (name, shardName) in index.WeightMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var shard = shards[shardName];
            if (!shard.Contains(name))
            {
                throw CheckpointFormatError.Create(indexPath,
                    $"tensor '{name}' is mapped to shard '{shardName}', which does not contain it");
            }
            owner.Add(name, shard);
        }
        foreach (var (shardName, shard) in shards.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (string name in shard.Entries.Keys.Order(StringComparer.Ordinal))
            {
                if (!ReferenceEquals(owner.GetValueOrDefault(name), shard))
                {
                    string mapped = index.WeightMap.TryGetValue(name, out var other)
                        ? $"the index maps it to '{other}'"
                        : "the index does not list it";
                    throw CheckpointFormatError.Create(indexPath,
                        $"shard '{shardName}' contains tensor '{name}' but {mapped}");
                }
            }
        }
        return owner;
    }
}
