using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace RawEdit.Tensors.Gpu;

/// <summary>
/// One ILGPU accelerator that the RawEdit kernels (Gpu/Kernels, C# compiled by ILGPU) run on: the first CUDA GPU, or
/// ILGPU's CPU accelerator, which runs the very same kernel methods on host threads so their logic is tested on any
/// machine. Kernels are launched on the default stream, so calls are ordered and a download waits for the work before
/// it. Memory comes from a <see cref="DeviceMemoryPool{TBlock}"/> of byte buffers.
/// </summary>
internal sealed class GpuDevice
{
    /// <summary>Threads of the one-group-per-row and grid-stride kernels on a GPU (a multiple of the warp size).</summary>
    private const int GpuGroupSize = 256;

    private static readonly Lazy<Context> SharedContext = new(() =>
        Context.Create(builder => builder.Cuda().CPU().Optimize(OptimizationLevel.O2).EnableAlgorithms()));

    private GpuDevice(Accelerator accelerator, string kind, int groupSize)
    {
        Accelerator = accelerator;
        Kind = kind;
        GroupSize = 1 << BitOperations.Log2((uint)Math.Min(groupSize, accelerator.MaxNumThreadsPerGroup));
        ComputeCapability = accelerator is CudaAccelerator cuda ? (cuda.Architecture.Major, cuda.Architecture.Minor) : (0, 0);
        Memory = new DeviceMemoryPool<MemoryBuffer1D<byte, Stride1D.Dense>>(TryAllocate, block => block.Dispose());
    }

    /// <summary>The ILGPU context every device of this process shares (ILGPU compiles kernels per context).</summary>
    public static Context Context => SharedContext.Value;

    public Accelerator Accelerator { get; }
    /// <summary>"cuda" or "ilgpu-cpu".</summary>
    public string Kind { get; }
    public bool IsCuda => Accelerator is CudaAccelerator;
    public string Name => Accelerator.Name;
    public (int Major, int Minor) ComputeCapability { get; }
    /// <summary>Threads per group of the row and grid-stride kernels (a power of two).</summary>
    public int GroupSize { get; }

    /// <summary>Threads per group of the tiled GEMM, which needs a square thread grid: the largest power of four not above <see cref="GroupSize"/>.</summary>
    public int GemmGroupSize => 1 << (2 * (BitOperations.Log2((uint)GroupSize) / 2));
    public DeviceMemoryPool<MemoryBuffer1D<byte, Stride1D.Dense>> Memory { get; }

    /// <summary>The first CUDA GPU, or null with the reason none is usable.</summary>
    public static GpuDevice? TryOpenCuda(out string? reason)
    {
        try
        {
            var devices = Context.GetCudaDevices();
            if (devices.Count == 0)
            {
                reason = "ILGPU finds no CUDA device (no NVIDIA driver library, or no GPU)";
                return null;
            }
            reason = null;
            return new GpuDevice(devices[0].CreateAccelerator(Context), "cuda", GpuGroupSize);
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            reason = $"the CUDA accelerator could not be created: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator, running the kernels in groups of <paramref name="threadsPerGroup"/> simulated threads
    /// (a power of two). ILGPU runs each simulated thread on a host thread, and a group barrier among several of them
    /// costs tens to hundreds of microseconds on a 2-core machine, against 0.2 µs for a group of one (measured): so
    /// the whole-model suites and `--device ilgpu-cpu` use groups of 1, and the kernel tests also run groups of 4,
    /// which exercise the group logic (tree reductions, shared tiles). Every kernel is written for any group size,
    /// so the kernel code that runs here is the code that runs on a GPU.
    /// </summary>
    public static GpuDevice OpenCpuSimulator(int threadsPerGroup = 1) =>
        new(new CPUDevice(numThreadsPerWarp: Math.Max(2, threadsPerGroup), numWarpsPerMultiprocessor: 1, numMultiprocessors: 1)
            .CreateCPUAccelerator(Context, CPUAcceleratorMode.Parallel), "ilgpu-cpu", threadsPerGroup);

    /// <summary>Makes this accelerator current on the calling thread (CUDA contexts are per thread).</summary>
    public void Bind()
    {
        if (ILGPU.Runtime.Accelerator.Current != Accelerator) Accelerator.Bind();
    }

    public void Synchronize() => Accelerator.Synchronize();

    private MemoryBuffer1D<byte, Stride1D.Dense>? TryAllocate(long bytes)
    {
        Bind();
        try
        {
            return Accelerator.Allocate1D<byte>(bytes);
        }
        catch (Exception e) when (e is OutOfMemoryException or CudaException or AcceleratorException)
        {
            return null;
        }
    }

    /// <summary>
    /// The most groups a launch gets: 32 per multiprocessor on a GPU; 2 on the CPU accelerator, where each group costs
    /// tens of microseconds to schedule (two rather than one, so every launch still runs the kernels' group-stride loops).
    /// </summary>
    private long MaxGroups => IsCuda ? 32L * Accelerator.NumMultiprocessors : 2;

    /// <summary>Grid-stride launch shape over <paramref name="elements"/>.</summary>
    public KernelConfig ElementwiseConfig(long elements) =>
        new((int)Math.Clamp((elements + GroupSize - 1) / GroupSize, 1, MaxGroups), GroupSize);

    /// <summary>Groups for a kernel that loops over <paramref name="tiles"/> work tiles: one per tile on a GPU.</summary>
    public int GroupsForTiles(long tiles) => (int)Math.Clamp(tiles, 1, IsCuda ? int.MaxValue : MaxGroups);

    /// <summary>One group per row on a GPU (up to 65,535; rows beyond the grid are taken by a group-stride loop).</summary>
    public KernelConfig PerRowConfig(long rows) => new((int)Math.Clamp(rows, 1, IsCuda ? 65_535 : MaxGroups), GroupSize);

    public override string ToString() => $"{Kind}: {Name}";
}
