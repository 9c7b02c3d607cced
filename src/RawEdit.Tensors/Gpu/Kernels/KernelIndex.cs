using ILGPU;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Index helpers shared by the kernels. Grid-stride loops start at the thread's global index and step by the grid's
/// thread count, so any launch shape covers any element count (64-bit: GPT-J's embedding has 206 M elements).
/// Row kernels give each group whole rows: the group's threads stride over the row's columns. Kernels read these
/// indices once, into locals, outside their loops: on ILGPU's CPU accelerator each read of Grid or Group is a call
/// of hundreds of nanoseconds (measured: a copy loop at 374 ns an element with the stride re-read, 17 ns hoisted).
/// </summary>
internal static class KernelIndex
{
    /// <summary>This thread's first element of a grid-stride loop.</summary>
    public static long First => Grid.GlobalIndex.X;

    /// <summary>The grid-stride loop's step: every thread of the grid.</summary>
    public static long GridStride => (long)Grid.DimX * Group.DimX;
}

/// <summary>A shape or stride list of rank at most 8, passed to a kernel by value.</summary>
internal struct Dims
{
    public const int MaxRank = 8;
    public int Rank;
    public long S0, S1, S2, S3, S4, S5, S6, S7;

    public static Dims Of(IReadOnlyList<long> values)
    {
        if (values.Count > MaxRank) throw new ArgumentException($"rank {values.Count} above the GPU kernels' {MaxRank}");
        var d = new Dims { Rank = values.Count };
        for (int i = 0; i < values.Count; i++) d.Set(i, values[i]);
        return d;
    }

    public static Dims Of(IReadOnlyList<int> values) => Of(values.Select(v => (long)v).ToArray());

    public readonly long this[int axis] => axis switch
    {
        0 => S0, 1 => S1, 2 => S2, 3 => S3, 4 => S4, 5 => S5, 6 => S6, _ => S7,
    };

    private void Set(int axis, long value)
    {
        switch (axis)
        {
            case 0: S0 = value; break;
            case 1: S1 = value; break;
            case 2: S2 = value; break;
            case 3: S3 = value; break;
            case 4: S4 = value; break;
            case 5: S5 = value; break;
            case 6: S6 = value; break;
            default: S7 = value; break;
        }
    }
}
