using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Host memory of F16 or BF16 elements, read only by the kernels that widen on use (matrix products, row gathers,
/// downloads and conversions). It is either a region of a memory-mapped checkpoint, kept mapped for as long as
/// its owner is reachable (so a 6B model's weights cost page cache, not heap), or a pinned array.
/// </summary>
internal sealed unsafe class CpuHalfStorage : TensorStorage
{
    private readonly ushort* elements;
    private readonly object? owner;

    private CpuHalfStorage(DType kind, ushort* elements, long length, object? owner, IBackend backend)
    {
        if (!kind.IsStorageOnly()) throw new ArgumentException($"{kind} is not a half-precision type");
        DType = kind;
        this.elements = elements;
        Length = length;
        this.owner = owner;
        Backend = backend;
    }

    /// <summary>Elements at <paramref name="address"/> (2-byte aligned or not) that stay valid while <paramref name="owner"/> lives.</summary>
    public static CpuHalfStorage Mapped(DType kind, IntPtr address, long length, object owner, IBackend backend) =>
        new(kind, (ushort*)address, length, owner ?? throw new ArgumentNullException(nameof(owner)), backend);

    /// <summary>A zero-filled pinned array (on the pinned object heap, so its address never moves).</summary>
    public static CpuHalfStorage Allocate(DType kind, long length, IBackend backend)
    {
        var array = GC.AllocateArray<ushort>(checked((int)length), pinned: true);
        fixed (ushort* p = array) return new CpuHalfStorage(kind, p, length, array, backend);
    }

    public override IBackend Backend { get; }
    public override DType DType { get; }
    public override long Length { get; }

    /// <summary>True when the elements live in a mapped file rather than on the heap.</summary>
    public bool IsMapped => owner is not ushort[];

    /// <summary>The stored bit patterns of elements [start, start + count); keep this storage reachable while reading them.</summary>
    public ReadOnlySpan<ushort> Bits(long start, int count)
    {
        CheckRange(start, count);
        return new ReadOnlySpan<ushort>(elements + start, count);
    }

    /// <summary>Writable bit patterns, for heap storage only (a mapped checkpoint is read-only).</summary>
    public Span<ushort> WritableBits(long start, int count)
    {
        if (IsMapped) throw new InvalidOperationException("a memory-mapped half-precision weight is read-only; promote it to F32 to change it");
        CheckRange(start, count);
        return new Span<ushort>(elements + start, count);
    }

    /// <summary>destination = fp32 values of elements [start, start + destination.Length), widened in parallel chunks.</summary>
    public void Widen(long start, Span<float> destination)
    {
        CheckRange(start, destination.Length);
        const int chunk = 1 << 20;
        int total = destination.Length, chunks = (total + chunk - 1) / chunk;
        fixed (float* target = destination)
        {
            float* t = target;
            CpuParallel.For(chunks, chunk, c =>
            {
                int from = c * chunk, count = Math.Min(chunk, total - from);
                HalfPrecision.ToSingle(DType, new ReadOnlySpan<ushort>(elements + start + from, count), new Span<float>(t + from, count));
            });
        }
        GC.KeepAlive(owner);
    }

    private void CheckRange(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"elements [{start}, {start + count}) outside a half storage of {Length}");
    }
}
