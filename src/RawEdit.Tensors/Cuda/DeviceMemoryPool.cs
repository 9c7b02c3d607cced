using System.Collections.Concurrent;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// Caches freed device blocks by size so the next tensor of that size reuses one instead of calling cuMemAlloc
/// (a forward pass allocates the same shapes again and again). Sizes are rounded up to 512 bytes below 1 MiB and to
/// 2 MiB above, so near sizes share a bucket. A dead tensor's finalizer only returns its block here (no driver call
/// on the finalizer thread); the device memory is given back when an allocation fails: the pool then collects dead
/// tensors, frees every cached block, and tries once more. Allocation and freeing are injected (the driver's
/// cuMemAlloc/cuMemFree on a device) so the policy is testable without one.
/// </summary>
public sealed class DeviceMemoryPool(Func<long, ulong?> tryAllocate, Action<ulong> free)
{
    private readonly ConcurrentDictionary<long, ConcurrentBag<ulong>> cached = new();
    private long cachedBytes;

    /// <summary>Bytes held in cached (free, not yet returned) blocks.</summary>
    public long CachedBytes => Interlocked.Read(ref cachedBytes);

    public static long RoundUp(long bytes) =>
        bytes <= 1 << 20 ? (bytes + 511) / 512 * 512 : (bytes + (2L << 20) - 1) / (2L << 20) * (2L << 20);

    /// <summary>A block of at least <paramref name="bytes"/> (its bucket size is <see cref="RoundUp"/>), or an error.</summary>
    public ulong Rent(long bytes, Func<string> describeFailure)
    {
        long size = RoundUp(bytes);
        if (cached.TryGetValue(size, out var bag) && bag.TryTake(out var reused))
        {
            Interlocked.Add(ref cachedBytes, -size);
            return reused;
        }
        if (tryAllocate(size) is { } fresh) return fresh;
        // Out of device memory: let dead tensors return their blocks, then give every cached block back and retry.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (cached.TryGetValue(size, out bag) && bag.TryTake(out reused))
        {
            Interlocked.Add(ref cachedBytes, -size);
            return reused;
        }
        Trim();
        return tryAllocate(size) ?? throw new InvalidOperationException(describeFailure());
    }

    /// <summary>Returns a block rented for <paramref name="bytes"/> to its bucket.</summary>
    public void Return(ulong pointer, long bytes)
    {
        long size = RoundUp(bytes);
        cached.GetOrAdd(size, _ => []).Add(pointer);
        Interlocked.Add(ref cachedBytes, size);
    }

    /// <summary>Frees every cached block.</summary>
    public void Trim()
    {
        foreach (var (size, bag) in cached)
            while (bag.TryTake(out var pointer))
            {
                free(pointer);
                Interlocked.Add(ref cachedBytes, -size);
            }
    }
}
