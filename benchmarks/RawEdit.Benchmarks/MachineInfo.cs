using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Benchmarks;

/// <summary>
/// The vector path our CPU kernels take on this machine, for the machine lines of benchmarks/*/side_by_side.py
/// (asked with the line-protocol command "vector-path", or the one-shot mode of the same name).
/// </summary>
public static class MachineInfo
{
    /// <summary>
    /// The GEMM kernel path in use (CpuGemm.KernelPath: "avx512" for the 12×32 Vector512 kernel, "avx2" for the 6×16
    /// Vector256 one, "reference" for the scalar loops).
    /// </summary>
    public static string VectorPath() => CpuGemm.KernelPath.ToString().ToLowerInvariant();

    /// <summary>The widest vectors .NET accelerates here: "avx512", "avx2" (with FMA) or "scalar".</summary>
    public static string RuntimeVectors() =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "avx512"
        : Avx2.IsSupported && Fma.IsSupported ? "avx2"
        : "scalar";

    /// <summary>"AMD EPYC (cpu family 25, model 17), 2 CPUs" from /proc/cpuinfo, as far as it says.</summary>
    public static string Cpu()
    {
        string Field(string[] lines, string name) =>
            lines.FirstOrDefault(l => l.Split(':')[0].Trim() == name)?.Split(':', 2)[1].Trim() ?? "?";
        var lines = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        return $"{Field(lines, "model name")} (cpu family {Field(lines, "cpu family")}, model {Field(lines, "model")}), {Environment.ProcessorCount} CPUs";
    }

    /// <summary>One line: our GEMM's path, then what the runtime would allow.</summary>
    public static string Describe() => $"{VectorPath()} (GEMM micro-kernel; .NET accelerates {RuntimeVectors()} here)";
}
