using RawEdit.Tensors;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// A read-only, memory-mapped safetensors file whose header has been fully validated on open.
/// Spans and memory handed out point into the mapping and stay valid until <see cref="Dispose"/>.
/// Reads are safe from several threads at once; disposing concurrently with reads is not.
/// </summary>
internal sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly CheckpointStorage _storage;
    private readonly SafetensorsHeader _header;
    private bool _disposed;

    private SafetensorsFile(CheckpointStorage storage, string path)
    {
        _storage = storage;
        Path = path;
        long length = storage.Length;
        var prefix = new ReadOnlySpan<byte>(storage.Pointer, (int)Math.Min(length, SafetensorsHeaderParser.LengthPrefixSize));
        int headerLength = SafetensorsHeaderParser.ReadHeaderLength(prefix, length, path);
        var json = new ReadOnlySpan<byte>(storage.Pointer + SafetensorsHeaderParser.LengthPrefixSize, headerLength);
        _header = SafetensorsHeaderParser.Parse(json, length, path);
    }

    /// <summary>Maps and validates a file; throws <see cref="InvalidDataException"/> if it is malformed.</summary>
    public static SafetensorsFile Open(string path)
    {
        PlatformCheck.RequireLittleEndian();
        var storage = MemoryMappedStorage.Open(path);
        return Create(storage, path);
    }

    /// <summary>Validates safetensors bytes held in memory; they are pinned until disposal.</summary>
    public static SafetensorsFile FromMemory(ReadOnlyMemory<byte> bytes, string displayName = "<memory>")
    {
        PlatformCheck.RequireLittleEndian();
        return Create(new PinnedMemoryStorage(bytes), displayName);
    }

    private static SafetensorsFile Create(CheckpointStorage storage, string path)
    {
        try
        {
            return new SafetensorsFile(storage, path);
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>The file path (or display name for in-memory files), used in every error message.</summary>
    public string Path { get; }

    public IReadOnlyDictionary<string, TensorEntry> Entries => _header.Entries;

    /// <summary>The optional "__metadata__" string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    public long FileLength => _storage.Length;

    /// <summary>Absolute offset of the data section (8 + header length).</summary>
    public long DataSectionOffset => _header.DataSectionOffset;

    public bool Contains(string name) => _header.Entries.ContainsKey(name);

    public TensorEntry GetEntry(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _header.Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'.");
    }

    /// <summary>The tensor's bytes as stored (little-endian), without copying.</summary>
    public ReadOnlySpan<byte> RawBytes(string name)
    {
        var entry = GetEntry(name);
        return new ReadOnlySpan<byte>(DataPointer(entry), CheckedSpanLength(entry));
    }

    /// <summary>Like <see cref="RawBytes"/> but storable, e.g. to hand to <see cref="TensorWriteSource.FromRaw(string, TensorDType, long[], ReadOnlyMemory{byte})"/>.</summary>
    public ReadOnlyMemory<byte> RawMemory(string name)
    {
        var entry = GetEntry(name);
        return new UnmanagedByteMemoryManager(DataPointer(entry), CheckedSpanLength(entry)).Memory;
    }

    /// <summary>Address of the tensor's first byte, for tensors larger than a span can describe.</summary>
    public IntPtr DangerousGetDataPointer(string name) => (IntPtr)DataPointer(GetEntry(name));

    /// <summary>
    /// An F16/BF16 tensor as storage-only host memory pointing into this file's mapping, no copy; the mapping stays
    /// valid while the storage lives, even after this file is disposed. Null for other dtypes.
    /// </summary>
    public CpuHalfStorage? MapHalf(string name, CpuBackend backend)
    {
        var entry = GetEntry(name);
        var kind = entry.DType switch { TensorDType.F16 => DType.F16, TensorDType.BF16 => DType.BF16, _ => (DType?)null };
        return kind is { } k ? CpuHalfStorage.Mapped(k, (IntPtr)DataPointer(entry), entry.ElementCount, _storage.Lease(), backend) : null;
    }

    /// <summary>Reads an F32/F16/BF16/F64 tensor into a new fp32 array.</summary>
    public float[] ReadAsFloat32(string name)
    {
        var entry = GetEntry(name);
        var result = new float[CheckedArrayLength(entry)];
        ReadAsFloat32(entry, 0, result);
        return result;
    }

    /// <summary>Reads a whole tensor into <paramref name="destination"/>, whose length must equal the element count.</summary>
    public void ReadAsFloat32(string name, Span<float> destination)
    {
        var entry = GetEntry(name);
        if (destination.Length != entry.ElementCount)
        {
            throw new ArgumentException(
                $"{Path}: tensor '{name}' has {entry.ElementCount} elements but the destination holds {destination.Length}.",
                nameof(destination));
        }
        ReadAsFloat32(entry, 0, destination);
    }

    /// <summary>Reads <c>destination.Length</c> elements starting at <paramref name="firstElement"/>, for chunked reads of huge tensors.</summary>
    public void ReadAsFloat32(string name, long firstElement, Span<float> destination)
    {
        var entry = GetEntry(name);
        if (firstElement < 0 || firstElement > entry.ElementCount - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement),
                $"{Path}: elements [{firstElement}, {firstElement + destination.Length}) are outside tensor '{name}' of {entry.ElementCount} elements.");
        }
        ReadAsFloat32(entry, firstElement, destination);
    }

    private void ReadAsFloat32(TensorEntry entry, long firstElement, Span<float> destination)
    {
        RequireDType(entry, entry.DType.IsFloat32Convertible(), "ReadAsFloat32", "F32, F16, BF16 or F64");
        int size = entry.DType.ByteSize();
        byte* start = DataPointer(entry) + firstElement * size;
        // Chunks small enough that one conversion's byte count fits an int (even for F64), converted on all cores:
        // a large tensor's conversion (and the page faults that read it) is what loading a real checkpoint waits on.
        const int chunkElements = 1 << 22;
        int total = destination.Length, chunks = (total + chunkElements - 1) / chunkElements;
        var dtype = entry.DType;
        fixed (float* target = destination)
        {
            float* t = target;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks > 1 ? Environment.ProcessorCount : 1 }, c =>
            {
                long done = (long)c * chunkElements;
                int count = (int)Math.Min(chunkElements, total - done);
                var source = new ReadOnlySpan<byte>(start + done * size, count * size);
                ElementConversion.ToFloat32(dtype, source, new Span<float>(t + done, count));
            });
        }
    }

    /// <summary>Reads an integer (or BOOL) tensor of at most 64 bits, widening to Int64; U64 is refused.</summary>
    public long[] ReadAsInt64(string name)
    {
        var entry = GetEntry(name);
        RequireDType(entry, entry.DType.IsInt64Convertible(), "ReadAsInt64", "I64, I32, U32, I16, U16, I8, U8 or BOOL");
        var result = new long[CheckedArrayLength(entry)];
        ElementConversion.ToInt64(entry.DType, RawBytes(name), result);
        return result;
    }

    /// <summary>Reads an integer (or BOOL) tensor of at most 32 signed bits, widening to Int32.</summary>
    public int[] ReadAsInt32(string name)
    {
        var entry = GetEntry(name);
        RequireDType(entry, entry.DType.IsInt32Convertible(), "ReadAsInt32", "I32, I16, U16, I8, U8 or BOOL");
        var result = new int[CheckedArrayLength(entry)];
        ElementConversion.ToInt32(entry.DType, RawBytes(name), result);
        return result;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _storage.Dispose();
        }
    }

    private byte* DataPointer(TensorEntry entry)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _storage.Pointer + entry.FileOffset;
    }

    private void RequireDType(TensorEntry entry, bool supported, string method, string accepted)
    {
        if (!supported)
        {
            throw new InvalidOperationException(
                $"{Path}: {method} cannot read tensor '{entry.Name}' of dtype {entry.DType.HeaderName()}; it accepts {accepted}.");
        }
    }

    private int CheckedSpanLength(TensorEntry entry) => entry.ByteLength <= int.MaxValue
        ? (int)entry.ByteLength
        : throw new InvalidOperationException(
            $"{Path}: tensor '{entry.Name}' is {entry.ByteLength} bytes, too large for a span; use DangerousGetDataPointer or chunked reads.");

    private int CheckedArrayLength(TensorEntry entry) => entry.ElementCount <= Array.MaxLength
        ? (int)entry.ElementCount
        : throw new InvalidOperationException(
            $"{Path}: tensor '{entry.Name}' has {entry.ElementCount} elements, too many for one array; use ReadAsFloat32(name, firstElement, destination).");
}
