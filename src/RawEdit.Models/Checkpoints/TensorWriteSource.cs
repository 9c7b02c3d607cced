using System.Runtime.InteropServices;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// One tensor to be written: name, stored dtype, shape and where its data comes from. Data can
/// be given directly or as a factory that is only invoked when the writer reaches this tensor,
/// so a large model can be re-encoded one tensor at a time.
/// </summary>
internal sealed class TensorWriteSource
{
    private const int ScratchBytes = 1 << 20;

    private readonly long[] _shape;
    private readonly Func<ReadOnlyMemory<float>>? _floats;
    private readonly Func<ReadOnlyMemory<byte>>? _raw;

    private TensorWriteSource(string name, TensorDType dtype, long[] shape,
        Func<ReadOnlyMemory<float>>? floats, Func<ReadOnlyMemory<byte>>? raw)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == "__metadata__")
        {
            throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor.", nameof(name));
        }
        if (!Enum.IsDefined(dtype))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype.");
        }
        Name = name;
        DType = dtype;
        _shape = (long[])shape.Clone();
        _floats = floats;
        _raw = raw;
        ElementCount = CountElements(name, _shape);
        ByteLength = ElementCount <= long.MaxValue / dtype.ByteSize()
            ? ElementCount * dtype.ByteSize()
            : throw new ArgumentException($"Tensor '{name}' byte length overflows.", nameof(shape));
    }

    /// <summary>fp32 values stored as F32, F16 or BF16 (converted while writing).</summary>
    public static TensorWriteSource FromFloat32(string name, TensorDType dtype, long[] shape, ReadOnlyMemory<float> values)
    {
        var source = FromFloat32(name, dtype, shape, () => values);
        source.RequireLength(values.Length, source.ElementCount, "values");
        return source;
    }

    /// <summary>fp32 values produced on demand; the factory runs once, when this tensor is written.</summary>
    public static TensorWriteSource FromFloat32(string name, TensorDType dtype, long[] shape, Func<ReadOnlyMemory<float>> produceValues)
    {
        ArgumentNullException.ThrowIfNull(produceValues);
        if (dtype is not (TensorDType.F32 or TensorDType.F16 or TensorDType.BF16))
        {
            throw new ArgumentException($"fp32 data can be stored as F32, F16 or BF16, not {dtype.HeaderName()}.", nameof(dtype));
        }
        return new TensorWriteSource(name, dtype, shape, produceValues, null);
    }

    /// <summary>Bytes already encoded in <paramref name="dtype"/> (little-endian), copied verbatim.</summary>
    public static TensorWriteSource FromRaw(string name, TensorDType dtype, long[] shape, ReadOnlyMemory<byte> bytes)
    {
        var source = FromRaw(name, dtype, shape, () => bytes);
        source.RequireLength(bytes.Length, source.ByteLength, "bytes");
        return source;
    }

    /// <summary>Encoded bytes produced on demand; the factory runs once, when this tensor is written.</summary>
    public static TensorWriteSource FromRaw(string name, TensorDType dtype, long[] shape, Func<ReadOnlyMemory<byte>> produceBytes)
    {
        ArgumentNullException.ThrowIfNull(produceBytes);
        return new TensorWriteSource(name, dtype, shape, null, produceBytes);
    }

    public string Name { get; }

    public TensorDType DType { get; }

    public long[] Shape => (long[])_shape.Clone();

    public long ElementCount { get; }

    /// <summary>Bytes this tensor occupies in the data section.</summary>
    public long ByteLength { get; }

    internal ReadOnlySpan<long> ShapeSpan => _shape;

    internal void WriteData(Stream stream, ref byte[]? scratch)
    {
        if (_raw is not null)
        {
            var bytes = _raw();
            RequireLength(bytes.Length, ByteLength, "bytes");
            stream.Write(bytes.Span);
            return;
        }

        var values = _floats!();
        RequireLength(values.Length, ElementCount, "values");
        if (DType == TensorDType.F32)
        {
            stream.Write(MemoryMarshal.AsBytes(values.Span));
            return;
        }
        scratch ??= new byte[ScratchBytes];
        int size = DType.ByteSize();
        int chunk = scratch.Length / size;
        for (int done = 0; done < values.Length; done += chunk)
        {
            int count = Math.Min(chunk, values.Length - done);
            var encoded = scratch.AsSpan(0, count * size);
            ElementConversion.FromFloat32(DType, values.Span.Slice(done, count), encoded);
            stream.Write(encoded);
        }
    }

    private void RequireLength(long actual, long expected, string unit)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException(
                $"Tensor '{Name}' ({DType.HeaderName()} [{string.Join(", ", _shape)}]) expects {expected} {unit} but got {actual}.");
        }
    }

    private static long CountElements(string name, long[] shape)
    {
        long count = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has negative dimension {dim}.", nameof(shape));
            }
            count = dim == 0 ? 0 : count > long.MaxValue / dim
                ? throw new ArgumentException($"Tensor '{name}' element count overflows.", nameof(shape))
                : count * dim;
        }
        return count;
    }
}
