namespace RawEdit.Models.Checkpoints.PyTorch;

/// <summary>
/// A PyTorch checkpoint folder: <c>pytorch_model.bin</c>, or the shards listed by <c>pytorch_model.bin.index.json</c>
/// (Hugging Face's sharded form, cross-checked like safetensors shards).
/// </summary>
internal sealed class PyTorchCheckpoint : ITensorCheckpoint
{
    public const string SingleFileName = "pytorch_model.bin";
    public const string IndexFileName = "pytorch_model.bin.index.json";

    private readonly IReadOnlyList<PyTorchArchive> archives;
    private readonly Dictionary<string, PyTorchArchive> owner;

    private PyTorchCheckpoint(string location, IReadOnlyList<PyTorchArchive> archives, Dictionary<string, PyTorchArchive> owner)
    {
        Location = location;
        this.archives = archives;
        this.owner = owner;
    }

    public string Location { get; }

    public IReadOnlyCollection<string> Names => owner.Keys;

    /// <summary>Opens a folder, a <c>.bin</c> file, or a <c>.bin.index.json</c> file.</summary>
    public static PyTorchCheckpoint Open(string folderOrFile)
    {
        if (File.Exists(folderOrFile))
            return folderOrFile.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase) ? OpenIndexed(folderOrFile) : OpenSingle(folderOrFile);
        string index = Path.Combine(folderOrFile, IndexFileName), single = Path.Combine(folderOrFile, SingleFileName);
        if (File.Exists(index) && File.Exists(single))
            throw CheckpointFormatError.Create(folderOrFile, $"folder holds both {SingleFileName} and {IndexFileName}; remove one so the checkpoint is unambiguous");
        if (File.Exists(index)) return OpenIndexed(index);
        if (File.Exists(single)) return OpenSingle(single);
        throw new FileNotFoundException($"{folderOrFile}: neither {SingleFileName} nor {IndexFileName} found.", single);
    }

    public TensorDType DTypeOf(string name) => Reference(name).Storage.DType;

    public long[] ShapeOf(string name) => (long[])Reference(name).Shape.Clone();

    public float[] ReadAsFloat32(string name)
    {
        var values = new float[ShapeOf(name).Aggregate(1L, (a, d) => a * d)];
        ReadAsFloat32(name, values);
        return values;
    }

    public void ReadAsFloat32(string name, Span<float> destination)
    {
        var dtype = DTypeOf(name);
        if (!dtype.IsFloat32Convertible()) throw new InvalidOperationException($"{Location}: tensor '{name}' is {dtype.HeaderName()}, not a floating-point type");
        ElementConversion.ToFloat32(dtype, owner[name].ReadBytes(name), destination);
    }

    private TensorReference Reference(string name) => owner.TryGetValue(name, out var archive)
        ? archive.Tensors[name]
        : throw new KeyNotFoundException($"{Location}: no tensor named '{name}'.");

    public void Dispose()
    {
        foreach (var archive in archives) archive.Dispose();
    }

    private static PyTorchCheckpoint OpenSingle(string path)
    {
        var archive = PyTorchArchive.Open(path);
        return new PyTorchCheckpoint(path, [archive], archive.Tensors.Keys.ToDictionary(k => k, _ => archive, StringComparer.Ordinal));
    }

    private static PyTorchCheckpoint OpenIndexed(string indexPath)
    {
        var index = ShardIndex.Read(indexPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var opened = new List<PyTorchArchive>();
        try
        {
            var owner = new Dictionary<string, PyTorchArchive>(StringComparer.Ordinal);
            foreach (var shardName in index.WeightMap.Values.Distinct().Order(StringComparer.Ordinal))
            {
                string shardPath = Path.Combine(folder, shardName);
                if (!File.Exists(shardPath)) throw CheckpointFormatError.Create(indexPath, $"shard '{shardName}' listed in the index does not exist");
                var archive = PyTorchArchive.Open(shardPath);
                opened.Add(archive);
                foreach (var name in archive.Tensors.Keys)
                {
                    if (!index.WeightMap.TryGetValue(name, out var mapped) || mapped != shardName)
                        throw CheckpointFormatError.Create(indexPath, $"shard '{shardName}' contains tensor '{name}' but the index {(mapped is null ? "does not list it" : $"maps it to '{mapped}'")}");
                    owner.Add(name, archive);
                }
            }
            var missing = index.WeightMap.Keys.FirstOrDefault(k => !owner.ContainsKey(k));
            if (missing is not null)
                throw CheckpointFormatError.Create(indexPath, $"tensor '{missing}' is mapped to shard '{index.WeightMap[missing]}', which does not contain it");
            return new PyTorchCheckpoint(indexPath, opened, owner);
        }
        catch
        {
            foreach (var archive in opened) archive.Dispose();
            throw;
        }
    }
}
