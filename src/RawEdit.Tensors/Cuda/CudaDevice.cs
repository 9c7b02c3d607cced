using System.Runtime.InteropServices;
using RawEdit.Tensors.Cuda.Native;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// One CUDA device with its primary context current on the calling thread, and the RawEdit kernels compiled for it
/// (NVRTC → PTX, cached on disk by <see cref="PtxCache"/>; the driver JIT-compiles the PTX to the device's code).
/// <see cref="TryOpen"/> says in words why no device is usable: no driver library, no device, no NVRTC.
/// </summary>
public sealed unsafe class CudaDevice
{
    private readonly Dictionary<string, nint> functions = new(StringComparer.Ordinal);
    private readonly nint module;

    internal CudaDriverApi Driver { get; }
    public int Ordinal { get; }
    public string Name { get; }
    public (int Major, int Minor) ComputeCapability { get; }
    public int Multiprocessors { get; }
    public long TotalMemoryBytes { get; }
    public nint Context { get; }
    /// <summary>The --gpu-architecture the kernels were compiled for (at most the compiler's newest).</summary>
    public string Architecture { get; }
    /// <summary>Device memory, cached by size (<see cref="DeviceMemoryPool"/>).</summary>
    public DeviceMemoryPool Memory { get; }

    private CudaDevice(CudaDriverApi driver, NvrtcApi nvrtc, int ordinal)
    {
        Driver = driver;
        Ordinal = ordinal;
        int device, major, minor, sms;
        driver.Check(driver.cuDeviceGet(&device, ordinal), "cuDeviceGet");
        var name = stackalloc byte[256];
        driver.Check(driver.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        Name = Marshal.PtrToStringUTF8((nint)name) ?? "?";
        driver.Check(driver.cuDeviceGetAttribute(&major, CudaDriverApi.DeviceAttributeComputeCapabilityMajor, device), "cuDeviceGetAttribute");
        driver.Check(driver.cuDeviceGetAttribute(&minor, CudaDriverApi.DeviceAttributeComputeCapabilityMinor, device), "cuDeviceGetAttribute");
        driver.Check(driver.cuDeviceGetAttribute(&sms, CudaDriverApi.DeviceAttributeMultiprocessorCount, device), "cuDeviceGetAttribute");
        ComputeCapability = (major, minor);
        Multiprocessors = sms;
        nuint total;
        driver.Check(driver.cuDeviceTotalMem(&total, device), "cuDeviceTotalMem");
        TotalMemoryBytes = (long)total;
        nint context;
        driver.Check(driver.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
        Context = context;
        MakeCurrent();
        Memory = new DeviceMemoryPool(TryAllocate, Free);

        var (nvMajor, nvMinor) = nvrtc.Version();
        var cache = new PtxCache(PtxCache.DefaultFolder(), (source, options) => nvrtc.CompileToPtx(source, "rawedit.cu", options), $"nvrtc {nvMajor}.{nvMinor}");
        (Architecture, var ptx) = CompileForNewestSupported(cache, major * 10 + minor);
        var image = System.Text.Encoding.ASCII.GetBytes(ptx + "\0");
        nint loaded;
        fixed (byte* p = image) driver.Check(driver.cuModuleLoadData(&loaded, p), "cuModuleLoadData (JIT of the RawEdit PTX)");
        module = loaded;
    }

    private ulong? TryAllocate(long bytes)
    {
        EnsureCurrent();
        ulong pointer;
        int result = Driver.cuMemAlloc(&pointer, (nuint)bytes);
        if (result == OutOfMemory) return null;
        Driver.Check(result, $"cuMemAlloc({bytes:N0} bytes)");
        return pointer;
    }

    private void Free(ulong pointer)
    {
        EnsureCurrent();
        Driver.Check(Driver.cuMemFree(pointer), "cuMemFree");
    }

    private const int OutOfMemory = 2;   // CUDA_ERROR_OUT_OF_MEMORY

    /// <summary>Options NVRTC compiles the kernels with for one architecture.</summary>
    public static IReadOnlyList<string> CompileOptions(string architecture) => [$"--gpu-architecture={architecture}", "--std=c++17"];

    // The device's own virtual architecture, or the newest older one this NVRTC knows (PTX runs on newer devices).
    private static (string Architecture, string Ptx) CompileForNewestSupported(PtxCache cache, int capability)
    {
        CudaException? last = null;
        foreach (int candidate in new[] { capability, 90, 89, 86, 80, 75, 70 }.Where(c => c <= capability).Distinct())
        {
            var architecture = $"compute_{candidate}";
            try { return (architecture, cache.GetOrCompile(KernelSource.Text, CompileOptions(architecture))); }
            catch (CudaException e) when (e.Message.Contains("gpu-architecture", StringComparison.Ordinal) || e.Message.Contains("INVALID_OPTION", StringComparison.Ordinal))
            {
                last = e;   // this NVRTC does not know the architecture: try an older one
            }
        }
        throw (Exception?)last ?? new InvalidOperationException($"no CUDA architecture to compile for (compute capability {capability})");
    }

    /// <summary>The first device, or null with the reason none is usable.</summary>
    public static CudaDevice? TryOpen(out string? reason, int ordinal = 0)
    {
        var driver = CudaDriverApi.TryLoad(out reason);
        if (driver is null) return null;
        int result = driver.cuInit(0);
        if (result != 0)
        {
            reason = $"cuInit failed: {driver.Describe(result)}";
            return null;
        }
        int count;
        driver.Check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount");
        if (count <= ordinal)
        {
            reason = count == 0 ? "the CUDA driver sees no device" : $"device {ordinal} asked for, the driver sees {count}";
            return null;
        }
        var nvrtc = NvrtcApi.TryLoad(out reason);
        if (nvrtc is null) return null;
        return new CudaDevice(driver, nvrtc, ordinal);
    }

    [ThreadStatic] private static nint currentContext;

    /// <summary>Makes this device's context current on the calling thread.</summary>
    public void MakeCurrent()
    {
        Driver.Check(Driver.cuCtxSetCurrent(Context), "cuCtxSetCurrent");
        currentContext = Context;
    }

    /// <summary>
    /// Makes the context current unless this thread already has it: every driver call of the backend goes through here,
    /// so tensors work from any thread (thread-pool workers included).
    /// </summary>
    public void EnsureCurrent()
    {
        if (currentContext != Context) MakeCurrent();
    }

    public void Synchronize() => Driver.Check(Driver.cuCtxSynchronize(), "cuCtxSynchronize");

    /// <summary>A kernel of the module by its extern "C" name.</summary>
    public nint Function(string name)
    {
        lock (functions)
        {
            if (functions.TryGetValue(name, out var f)) return f;
            var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
            nint handle;
            fixed (byte* p = bytes) Driver.Check(Driver.cuModuleGetFunction(&handle, module, p), $"cuModuleGetFunction({name})");
            functions[name] = handle;
            return handle;
        }
    }

    /// <summary>Launches <paramref name="kernel"/> on the default stream with the arguments in order.</summary>
    public void Launch(string kernel, (uint X, uint Y, uint Z) grid, uint block, uint sharedBytes, KernelArguments arguments)
    {
        EnsureCurrent();
        var f = Function(kernel);
        fixed (byte* data = arguments.Data)
        {
            var pointers = stackalloc void*[Math.Max(1, arguments.Offsets.Count)];
            for (int i = 0; i < arguments.Offsets.Count; i++) pointers[i] = data + arguments.Offsets[i];
            Driver.Check(Driver.cuLaunchKernel(f, grid.X, grid.Y, grid.Z, block, 1, 1, sharedBytes, 0, pointers, null), $"cuLaunchKernel({kernel})");
        }
    }

    /// <summary>A 1-D grid-stride launch over <paramref name="elements"/>: 256 threads, at most 32 blocks per multiprocessor.</summary>
    public void LaunchElementwise(string kernel, long elements, KernelArguments arguments)
    {
        if (elements <= 0) return;
        long blocks = Math.Min((elements + 255) / 256, 32L * Multiprocessors);
        Launch(kernel, ((uint)blocks, 1, 1), 256, 0, arguments);
    }
}
