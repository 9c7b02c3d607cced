using System.Runtime.InteropServices;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// A kernel's parameters packed for cuLaunchKernel: each value at its natural alignment in one buffer, with the
/// offsets the launch turns into the void** array. Types must match the kernel's signature exactly (int, i64,
/// float, double, device pointers as u64, <see cref="KernelDims"/>).
/// </summary>
public sealed class KernelArguments
{
    private readonly List<byte> data = [];
    private readonly List<int> offsets = [];

    internal byte[] Data => [.. data];
    internal IReadOnlyList<int> Offsets => offsets;

    public KernelArguments Int(int value) => Add(value);
    public KernelArguments Long(long value) => Add(value);
    public KernelArguments Float(float value) => Add(value);
    public KernelArguments Double(double value) => Add(value);
    public KernelArguments Pointer(ulong devicePointer) => Add(devicePointer);
    public KernelArguments Dims(KernelDims value) => Add(value);

    private KernelArguments Add<T>(T value) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>(), alignment = Math.Min(8, size);
        while (data.Count % alignment != 0) data.Add(0);
        offsets.Add(data.Count);
        var bytes = new byte[size];
        MemoryMarshal.Write(bytes, in value);
        data.AddRange(bytes);
        return this;
    }
}

/// <summary>The kernels' <c>struct Dims { int rank; long long size[8]; }</c> (72 bytes, 8-aligned).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public unsafe struct KernelDims
{
    public const int MaxRank = 8;
    public int Rank;
    public fixed long Size[MaxRank];

    public static KernelDims Of(ReadOnlySpan<long> values)
    {
        if (values.Length > MaxRank) throw new ArgumentException($"rank {values.Length} exceeds the CUDA kernels' {MaxRank}");
        var dims = new KernelDims { Rank = values.Length };
        for (int i = 0; i < values.Length; i++) dims.Size[i] = values[i];
        return dims;
    }
}
