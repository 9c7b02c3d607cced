using RawEdit.Tensors;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Models.Checkpoints;

/// <summary>How a checkpoint's F16/BF16 matrices are held in memory.</summary>
internal enum WeightPrecision
{
    /// <summary>Stored half when widening every half matrix to fp32 would take more than half of the machine's memory.</summary>
    Auto,
    /// <summary>Every weight widened to fp32 at load (fastest compute; 4 bytes per parameter).</summary>
    Float32,
    /// <summary>Half matrices stay as stored, memory-mapped where the format allows, widened per product (2 bytes per parameter).</summary>
    Stored,
}

internal static class WeightPrecisions
{
    /// <summary>The environment variable that overrides <see cref="WeightPrecision.Auto"/> for every load: auto, fp32 or stored.</summary>
    public const string Variable = "RAWEDIT_WEIGHT_PRECISION";

    /// <summary>The precision from <see cref="Variable"/> (Auto when unset), or a clear error for an unknown value.</summary>
    public static WeightPrecision FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable), Variable);

    public static WeightPrecision Parse(string? text, string source) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => WeightPrecision.Auto,
        "fp32" or "f32" or "float32" => WeightPrecision.Float32,
        "stored" or "half" => WeightPrecision.Stored,
        _ => throw new ArgumentException($"{source}: weight precision '{text}' is not one of auto, fp32, stored"),
    };

    /// <summary>
    /// Whether half matrices stay half: Stored says so; Auto does when their fp32 size exceeds half the memory this
    /// process may use (GPT-J 6B's 24 GB on a 24 GiB machine, not GPT-2 XL's 6 GB). Only the CPU backend reads them.
    /// </summary>
    public static bool KeepsHalf(this WeightPrecision precision, long halfMatrixElements)
    {
        if (Backends.Default is not CpuBackend || halfMatrixElements == 0) return false;
        return precision switch
        {
            WeightPrecision.Stored => true,
            WeightPrecision.Float32 => false,
            _ => 4 * halfMatrixElements > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2,
        };
    }
}
