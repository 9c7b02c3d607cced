using System.Collections.Concurrent;

namespace RawEdit.Tensors.Gpu;

/// <summary>
/// Caches freed device blocks by size so the next tensor of that size reuses one instead of allocating (a forward
/// pass allocates the same shapes again and again). Sizes are rounded up to 512 bytes below 1 MiB and to 2 MiB above,
/// so near sizes share a bucket. The pool keeps every block it handed out reachable, so a dead tensor's finalizer
/// only moves its block back to a bucket (no device call on the finalizer thread, and the block's own finalizer
/// never frees it under the pool). Device memory is given back when an allocation fails: the pool then collects
/// dead tensors, frees every cached block, and tries once more. Allocation and freeing are injected (ILGPU buffers on
/// a device) so the policy is testable without one.
/// </summary>
internal sealed class DeviceMemoryPool<TBlock>(Func<long, TBlock?> tryAllocate, Action<TBlock> free) where TBlock : class
{
    private readonly ConcurrentDictionary<long, ConcurrentBag<TBlock>> cached = new();
    private readonly ConcurrentDictionary<TBlock, long> rented = new(ReferenceEqualityComparer.Instance);
    private long cachedBytes;

    /// <summary>Bytes held in cached (free, not yet returned) blocks.</summary>
    public long CachedBytes => Interlocked.Read(ref cachedBytes);

    /// <summary>Blocks handed out and not yet returned.</summary>
    public int RentedCount => rented.Count;

    public static long RoundUp(long bytes) =>
        bytes <= 1 << 20 ? Math.Max(512, (bytes + 511) / 512 * 512) : (bytes + (2L << 20) - 1) / (2L << 20) * (2L << 20);

    /// <summary>A block of at least <paramref name="bytes"/> (its bucket size is <see cref="RoundUp"/>), or an error.</summary>
    public TBlock Rent(long bytes, Func<string> describeFailure)
    {
        long size = RoundUp(bytes);
        var block = TakeCached(size) ?? tryAllocate(size);
        if (block is null)
        {
            // Out of device memory: let dead tensors return their blocks, then give every cached block back and retry.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            block = TakeCached(size);
            if (block is null)
            {
                Trim();
                block = tryAllocate(size) ?? throw new InvalidOperationException(describeFailure());
            }
        }
        rented[block] = size;
        return block;
    }

    private TBlock? TakeCached(long size)
    {
        if (!cached.TryGetValue(size, out var bag) || !bag.TryTake(out var block)) return null;
        Interlocked.Add(ref cachedBytes, -size);
        return block;
    }

    /// <summary>Returns a rented block to its bucket (safe on the finalizer thread).</summary>
    public void Return(TBlock block)
    {
        if (!rented.TryRemove(block, out long size)) throw new InvalidOperationException("a block returned twice, or never rented from this pool");
        cached.GetOrAdd(size, _ => []).Add(block);
        Interlocked.Add(ref cachedBytes, size);
    }

    /// <summary>Frees every cached block.</summary>
    public void Trim()
    {
        foreach (var (size, bag) in cached)
            while (bag.TryTake(out var block))
            {
                free(block);
                Interlocked.Add(ref cachedBytes, -size);
            }
    }
}
