using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// The backend for a --device choice: "cpu"; "cuda" (the first CUDA device, or an error saying why none is usable);
/// "auto" (CUDA when a device is usable, else the CPU). The CUDA device is opened once per process.
/// </summary>
public static class DeviceSelection
{
    public const string Variable = "RAWEDIT_DEVICE";
    public static readonly string[] Choices = ["cpu", "cuda", "auto"];

    private static readonly Lazy<(CudaBackend? Backend, string? Reason)> cuda = new(() =>
    {
        var device = CudaDevice.TryOpen(out var reason);
        return (device is null ? null : new CudaBackend(device), reason);
    });

    /// <summary>The process's CUDA backend, or null and why no device is usable.</summary>
    public static CudaBackend? TryCuda(out string? reason)
    {
        reason = cuda.Value.Reason;
        return cuda.Value.Backend;
    }

    /// <summary>Makes RAWEDIT_DEVICE's choice, when it is set, the process's default backend (tools without a --device option).</summary>
    public static void UseEnvironmentChoice()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } choice) Backends.ProcessDefault = Resolve(choice);
    }

    public static IBackend Resolve(string choice) => choice switch
    {
        "cpu" => Backends.Cpu,
        "cuda" => cuda.Value.Backend ?? throw new InvalidOperationException($"--device cuda: {cuda.Value.Reason}"),
        "auto" => (IBackend?)cuda.Value.Backend ?? Backends.Cpu,
        _ => throw new ArgumentException($"unknown device '{choice}' (expected {string.Join(", ", Choices)})"),
    };
}
