using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// A fixed block of readable bytes addressed by pointer: a mapped file or pinned memory. Tensors that point into it
/// (half-stored weights) hold a <see cref="Lease"/>; the bytes are released once the reader is disposed and every
/// lease has been collected, so such a tensor outlives the reader safely.
/// </summary>
internal abstract unsafe class CheckpointStorage : IDisposable
{
    private int holders = 1;
    private bool disposed;

    public abstract byte* Pointer { get; }

    public abstract long Length { get; }

    /// <summary>An object that keeps the bytes valid while it is reachable.</summary>
    public object Lease()
    {
        if (Interlocked.Increment(ref holders) <= 1) throw new ObjectDisposedException(GetType().Name);
        return new StorageLease(this);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Release();
    }

    /// <summary>Unmaps or unpins; called once, when the last holder lets go.</summary>
    protected abstract void ReleaseBytes();

    private void Release()
    {
        if (Interlocked.Decrement(ref holders) == 0) ReleaseBytes();
    }

    private sealed class StorageLease(CheckpointStorage storage)
    {
        ~StorageLease() => storage.Release();
    }
}

/// <summary>Maps the whole file read-only once; views of any size work on 64-bit hosts.</summary>
internal sealed unsafe class MemoryMappedStorage : CheckpointStorage
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly long _length;

    private MemoryMappedStorage(MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer, long length)
    {
        _map = map;
        _view = view;
        _pointer = pointer;
        _length = length;
    }

    public override byte* Pointer => _pointer;

    public override long Length => _length;

    public static MemoryMappedStorage Open(string path)
    {
        // FileShare.Delete lets an atomic writer rename a new version over this path while we read.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read,
            FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            long length = stream.Length;
            if (length == 0)
            {
                // An empty file cannot be mapped; the header check reports it as too short.
                stream.Dispose();
                return new MemoryMappedStorage(null, null, null, 0);
            }
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: false);
            MemoryMappedViewAccessor? view = null;
            try
            {
                view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                byte* pointer = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                return new MemoryMappedStorage(map, view, pointer + view.PointerOffset, length);
            }
            catch
            {
                view?.Dispose();
                map.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    protected override void ReleaseBytes()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}

/// <summary>Caller-owned bytes pinned for the lifetime of the reader (used for in-memory files).</summary>
internal sealed unsafe class PinnedMemoryStorage : CheckpointStorage
{
    private MemoryHandle _handle;
    private readonly long _length;

    public PinnedMemoryStorage(ReadOnlyMemory<byte> memory)
    {
        _handle = memory.Pin();
        _length = memory.Length;
    }

    public override byte* Pointer => (byte*)_handle.Pointer;

    public override long Length => _length;

    protected override void ReleaseBytes() => _handle.Dispose();
}

/// <summary>Exposes a span of storage as <see cref="Memory{T}"/> without copying.</summary>
internal sealed unsafe class UnmanagedByteMemoryManager : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;

    public UnmanagedByteMemoryManager(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
