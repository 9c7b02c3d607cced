using System.IO.Compression;

namespace RawEdit.Models.Checkpoints.PyTorch;

/// <summary>
/// One <c>torch.save</c> file (the zip format of torch ≥ 1.6): <c>&lt;name&gt;/data.pkl</c> describes the tensors,
/// <c>&lt;name&gt;/data/&lt;key&gt;</c> holds each storage's raw little-endian bytes. The pickle is read by
/// <see cref="RestrictedUnpickler"/>, so opening a file never runs code from it.
/// </summary>
internal sealed class PyTorchArchive : IDisposable
{
    private const long MaxPickleBytes = 256L << 20;

    private readonly ZipArchive zip;
    private readonly string prefix;

    private PyTorchArchive(string path, ZipArchive zip, string prefix, IReadOnlyDictionary<string, TensorReference> tensors)
    {
        Path = path;
        this.zip = zip;
        this.prefix = prefix;
        Tensors = tensors;
    }

    public string Path { get; }

    /// <summary>State-dict keys in file order.</summary>
    public IReadOnlyDictionary<string, TensorReference> Tensors { get; }

    public static PyTorchArchive Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            var head = new byte[4];
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (read < 4 || head[0] != 'P' || head[1] != 'K')
                throw CheckpointFormatError.Create(path, read >= 2 && head[0] == 0x80
                    ? "a legacy (pre-zip, torch < 1.6) torch.save file; re-save it with a current torch or convert it to safetensors"
                    : "not a PyTorch checkpoint (no zip archive signature)");
            stream.Position = 0;
            ZipArchive zip;
            try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false); }
            catch (InvalidDataException e) { throw CheckpointFormatError.Create(path, $"zip archive is truncated or corrupt ({e.Message})", e); }
            try
            {
                var (prefix, tensors) = ReadIndex(path, zip);
                return new PyTorchArchive(path, zip, prefix, tensors);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static (string Prefix, IReadOnlyDictionary<string, TensorReference> Tensors) ReadIndex(string path, ZipArchive zip)
    {
        var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        if (pickles.Count != 1)
            throw CheckpointFormatError.Create(path, $"expected one <name>/data.pkl in the archive, found {pickles.Count}");
        string prefix = pickles[0].FullName[..^"data.pkl".Length];
        if (zip.GetEntry(prefix + "byteorder") is { } order && ReadAll(path, order, 16) is var bytes && System.Text.Encoding.ASCII.GetString(bytes) != "little")
            throw CheckpointFormatError.Create(path, "big-endian checkpoints are not supported");
        var root = RestrictedUnpickler.Load(ReadAll(path, pickles[0], MaxPickleBytes), path);
        if (root is not PickleDict dict)
            throw CheckpointFormatError.Create(path, "the pickled object is not a state dict (a dict of tensors)");
        var tensors = new Dictionary<string, TensorReference>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) throw CheckpointFormatError.Create(path, "a state-dict key is not a string");
            if (value is not TensorReference tensor) throw CheckpointFormatError.Create(path, $"state-dict entry '{name}' is not a tensor");
            if (!tensors.TryAdd(name, tensor)) throw CheckpointFormatError.Create(path, $"state-dict key '{name}' appears twice");
            var entry = zip.GetEntry(prefix + "data/" + tensor.Storage.Key)
                ?? throw CheckpointFormatError.Create(path, $"storage '{tensor.Storage.Key}' of '{name}' is missing from the archive");
            long expected = tensor.Storage.ElementCount * tensor.Storage.DType.ByteSize();
            if (entry.Length != expected)
                throw CheckpointFormatError.Create(path, $"storage '{tensor.Storage.Key}' of '{name}' holds {entry.Length} bytes, its type and size need {expected}");
        }
        return (prefix, tensors);
    }

    /// <summary>The elements of one tensor as contiguous little-endian bytes (row-major), whatever its strides.</summary>
    public byte[] ReadBytes(string name)
    {
        var tensor = Tensors[name];
        int size = tensor.Storage.DType.ByteSize();
        var storage = ReadAll(Path, zip.GetEntry(prefix + "data/" + tensor.Storage.Key)!, long.MaxValue);
        long count = tensor.Shape.Aggregate(1L, (a, d) => a * d);  // checked against overflow when the pickle was read
        if (count * size > Array.MaxLength) throw CheckpointFormatError.Create(Path, $"tensor '{name}' is {count * size} bytes, too large to read at once");
        if (IsRowMajor(tensor))
            return tensor.Offset == 0 && count * size == storage.Length ? storage   // the usual case: a tensor owns its storage
                : storage.AsSpan(checked((int)(tensor.Offset * size)), checked((int)(count * size))).ToArray();
        var result = new byte[checked(count * size)];
        var index = new long[tensor.Shape.Length];
        for (long i = 0; i < count; i++)
        {
            long element = tensor.Offset;
            for (int d = 0; d < index.Length; d++) element += index[d] * tensor.Strides[d];
            Array.Copy(storage, element * size, result, i * size, size);
            for (int d = index.Length - 1; d >= 0 && ++index[d] == tensor.Shape[d]; d--) index[d] = 0;
        }
        return result;
    }

    private static bool IsRowMajor(TensorReference t)
    {
        long expected = 1;
        for (int d = t.Shape.Length - 1; d >= 0; d--)
        {
            if (t.Shape[d] != 1 && t.Strides[d] != expected) return false;
            expected *= t.Shape[d];
        }
        return true;
    }

    private static byte[] ReadAll(string path, ZipArchiveEntry entry, long limit)
    {
        if (entry.Length > limit || entry.Length > Array.MaxLength)
            throw CheckpointFormatError.Create(path, $"archive entry '{entry.FullName}' is {entry.Length} bytes, too large to read");
        var bytes = new byte[entry.Length];
        try
        {
            using var stream = entry.Open();
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw CheckpointFormatError.Create(path, $"archive entry '{entry.FullName}' cannot be read ({e.Message})", e);
        }
        return bytes;
    }

    public void Dispose() => zip.Dispose();
}
