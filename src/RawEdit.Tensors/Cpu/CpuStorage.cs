using System.Numerics;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>Host memory: a managed array of float or double.</summary>
/// <remarks>
/// The storage counts writes (<see cref="Version"/>) so that data derived from its contents — the packed
/// GEMM panels of a weight (<see cref="PackedWeightCache"/>) — is dropped as soon as the contents may have
/// changed. Every backend kernel that writes a storage counts the write; so does every read of the public
/// <see cref="Data"/> array, since the caller may write through it.
/// </remarks>
internal sealed class CpuStorage<T> : TensorStorage where T : unmanaged, IFloatingPointIeee754<T>
{
    private int _version;

    public CpuStorage(T[] data, IBackend backend)
    {
        Values = data;
        Backend = backend;
    }

    /// <summary>The elements. Getting the array counts as a write (caches derived from it are dropped).</summary>
    public T[] Data
    {
        get
        {
            MarkWritten();
            return Values;
        }
    }

    /// <summary>The elements, for a caller that only reads them (or counts its write with <see cref="MarkWritten"/>).</summary>
    internal T[] Values { get; }

    /// <summary>Number of (possible) writes so far.</summary>
    internal int Version => Volatile.Read(ref _version);

    private PackedWeightCache.Entries? _packedPanels;

    /// <summary>Packed GEMM panels of this storage (float weights only); owned by <see cref="PackedWeightCache"/>.</summary>
    internal PackedWeightCache.Entries PackedPanels => LazyInitializer.EnsureInitialized(ref _packedPanels);

    internal void MarkWritten() => Interlocked.Increment(ref _version);

    public override IBackend Backend { get; }
    public override DType DType => typeof(T) == typeof(float) ? DType.F32 : DType.F64;
    public override long Length => Values.LongLength;
}
