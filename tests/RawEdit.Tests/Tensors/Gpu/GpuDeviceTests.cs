using RawEdit.Tensors.Gpu;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>The GPU device layer: the memory pool's policy with a fake allocator, and opening devices.</summary>
internal class GpuDeviceTests
{
    private sealed class Block(long bytes)
    {
        public long Bytes { get; } = bytes;
    }

    [Test]
    public void The_memory_pool_reuses_blocks_by_size_and_gives_them_back_when_memory_runs_out()
    {
        long capacity = 8L << 20, used = 0;
        var freed = new List<Block>();
        Block? Allocate(long bytes)
        {
            if (used + bytes > capacity) return null;
            used += bytes;
            return new Block(bytes);
        }
        void Free(Block block) { used -= block.Bytes; freed.Add(block); }
        var pool = new DeviceMemoryPool<Block>(Allocate, Free);

        Assert.That(DeviceMemoryPool<Block>.RoundUp(1), Is.EqualTo(512));
        Assert.That(DeviceMemoryPool<Block>.RoundUp(1000), Is.EqualTo(1024));
        Assert.That(DeviceMemoryPool<Block>.RoundUp((1 << 20) + 1), Is.EqualTo(2L << 20));
        var a = pool.Rent(1000, () => "a");
        pool.Return(a);
        Assert.That(pool.CachedBytes, Is.EqualTo(1024));
        Assert.That(pool.Rent(900, () => "b"), Is.SameAs(a), "a block of the same bucket is reused");
        Assert.That(used, Is.EqualTo(1024));
        Assert.Throws<InvalidOperationException>(() => pool.Return(new Block(1)), "a block the pool never lent");

        var big = pool.Rent(6L << 20, () => "c");
        pool.Return(big);
        var other = pool.Rent(4L << 20, () => "d");            // does not fit beside the cached 6 MiB block
        Assert.That(freed, Is.EqualTo(new[] { big }), "the cached block was freed to make room");
        Assert.That(pool.CachedBytes, Is.Zero);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Rent(16L << 20, () => "out of memory for 16 MiB"))!;
        Assert.That(e.Message, Is.EqualTo("out of memory for 16 MiB"));
        Assert.That(pool.RentedCount, Is.EqualTo(2));
        GC.KeepAlive(other);
    }

    [Test]
    public void Opening_cuda_either_succeeds_or_says_why_not()
    {
        var backend = DeviceSelection.TryCuda(out var reason);
        if (backend is null)
        {
            Assert.That(reason, Does.Contain("CUDA"), reason);
            return;
        }
        Assert.That(backend.Device.IsCuda);
        Assert.That(backend.Name, Is.EqualTo("cuda"));
        Assert.That(backend.Device.ComputeCapability.Major, Is.GreaterThan(0));
    }

    [Test]
    public void The_cpu_accelerator_is_always_there_and_groups_are_powers_of_two([Values(1, 2, 3, 4, 16)] int threads)
    {
        Assert.That(DeviceSelection.CpuSimulator.Device.IsCuda, Is.False);
        Assert.That(DeviceSelection.CpuSimulator.Name, Is.EqualTo("ilgpu-cpu"));
        var device = GpuDevice.OpenCpuSimulator(threads);
        Assert.That(device.GroupSize, Is.EqualTo(threads == 3 ? 2 : threads), "GroupReduce needs a power of two: rounded down");
        Assert.That(device.GemmGroupSize, Is.EqualTo(threads == 16 ? 16 : threads >= 4 ? 4 : 1), "the tiled GEMM needs a square");
    }

    [Test]
    public void A_dead_tensor_returns_its_block_to_the_pool()
    {
        var pool = DeviceSelection.CpuSimulator.Device.Memory;
        int before = pool.RentedCount;
        AllocateAndDrop();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(pool.RentedCount, Is.LessThanOrEqualTo(before), "the finalizer gave the block back");
        Assert.That(pool.CachedBytes, Is.GreaterThanOrEqualTo(DeviceMemoryPool<object>.RoundUp(4 * 12345)));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AllocateAndDrop() => DeviceSelection.CpuSimulator.Allocate(RawEdit.Tensors.DType.F32, 12345);
}
