using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Gpu;

/// <summary>
/// The backend for a --device choice: "cpu" (the SIMD CPU backend); "cuda" (ILGPU on the first CUDA GPU, or an error
/// saying why none is usable); "ilgpu-cpu" (the same ILGPU kernels on ILGPU's CPU accelerator: slow, but it runs every
/// GPU kernel's code on any machine); "auto" (CUDA when usable, else the CPU). Each device is opened once per process.
/// </summary>
internal static class DeviceSelection
{
    public const string Variable = "RAWEDIT_DEVICE";
    public static readonly string[] Choices = ["cpu", "cuda", "ilgpu-cpu", "auto"];

    private static readonly Lazy<(GpuBackend? Backend, string? Reason)> cuda = new(() =>
    {
        var device = GpuDevice.TryOpenCuda(out var reason);
        return (device is null ? null : new GpuBackend(device), reason);
    });

    private static readonly Lazy<GpuBackend> simulator = new(() => new GpuBackend(GpuDevice.OpenCpuSimulator()));

    /// <summary>The process's CUDA backend, or null and why no GPU is usable.</summary>
    public static GpuBackend? TryCuda(out string? reason)
    {
        reason = cuda.Value.Reason;
        return cuda.Value.Backend;
    }

    /// <summary>The process's ILGPU CPU-accelerator backend.</summary>
    public static GpuBackend CpuSimulator => simulator.Value;

    /// <summary>Makes RAWEDIT_DEVICE's choice, when it is set, the process's default backend (tools without a --device option).</summary>
    public static void UseEnvironmentChoice()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } choice) Backends.ProcessDefault = Resolve(choice);
    }

    public static IBackend Resolve(string choice) => choice switch
    {
        "cpu" => Backends.Cpu,
        "cuda" => cuda.Value.Backend ?? throw new InvalidOperationException($"--device cuda: {cuda.Value.Reason}"),
        "ilgpu-cpu" => simulator.Value,
        "auto" => (IBackend?)cuda.Value.Backend ?? Backends.Cpu,
        _ => throw new ArgumentException($"unknown device '{choice}' (expected {string.Join(", ", Choices)})"),
    };
}
