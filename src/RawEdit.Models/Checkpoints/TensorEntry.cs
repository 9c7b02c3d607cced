namespace RawEdit.Models.Checkpoints;

/// <summary>One validated tensor declaration from a safetensors header.</summary>
internal sealed class TensorEntry
{
    private readonly long[] _shape;

    internal TensorEntry(string name, TensorDType dtype, long[] shape, long elementCount,
        long dataBegin, long dataEnd, long dataSectionOffset)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        ElementCount = elementCount;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
        FileOffset = dataSectionOffset + dataBegin;
    }

    public string Name { get; }

    public TensorDType DType { get; }

    /// <summary>A fresh copy of the shape, so the validated entry cannot be altered through it.</summary>
    public long[] Shape => (long[])_shape.Clone();

    public int Rank => _shape.Length;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount { get; }

    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Start offset relative to the data section, as written in the header.</summary>
    public long DataBegin { get; }

    /// <summary>End offset (exclusive) relative to the data section.</summary>
    public long DataEnd { get; }

    /// <summary>Absolute offset of the first byte in the file.</summary>
    public long FileOffset { get; }

    public long Dimension(int axis) => _shape[axis];

    public override string ToString() =>
        $"{Name} {DType.HeaderName()} [{string.Join(", ", _shape)}]";
}
