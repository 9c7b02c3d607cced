using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RawEdit.Tensors;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Converts little-endian element bytes to and from fp32. F16/BF16 widen through <see cref="HalfPrecision"/>;
/// the other hot paths (F64 to fp32 and fp32 to BF16) use <see cref="Vector{T}"/> because a 6B-parameter model means billions of
/// elements; sources may be unaligned (they come straight from a mapped file), so every vector
/// load and store is an unaligned one.
/// </summary>
internal static class ElementConversion
{
    public static void ToFloat32(TensorDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        RequireSizes(source.Length, destination.Length, dtype.ByteSize());
        switch (dtype)
        {
            case TensorDType.F32: source.CopyTo(MemoryMarshal.AsBytes(destination)); break;
            case TensorDType.F16: HalfPrecision.ToSingle(DType.F16, source, destination); break;
            case TensorDType.BF16: HalfPrecision.ToSingle(DType.BF16, source, destination); break;
            case TensorDType.F64: DoubleToSingle(source, destination); break;
            default: throw new InvalidOperationException($"dtype {dtype.HeaderName()} cannot be read as float32.");
        }
    }

    public static void FromFloat32(TensorDType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        RequireSizes(destination.Length, source.Length, dtype.ByteSize());
        switch (dtype)
        {
            case TensorDType.F32: MemoryMarshal.AsBytes(source).CopyTo(destination); break;
            case TensorDType.F16: HalfPrecision.FromSingle(DType.F16, source, destination); break;
            case TensorDType.BF16: HalfPrecision.FromSingle(DType.BF16, source, destination); break;
            default: throw new InvalidOperationException($"float32 data cannot be stored as {dtype.HeaderName()}.");
        }
    }

    /// <summary>Widens any integer (or BOOL) element type to Int64; the caller checks the dtype.</summary>
    public static void ToInt64(TensorDType dtype, ReadOnlySpan<byte> source, Span<long> destination)
    {
        RequireSizes(source.Length, destination.Length, dtype.ByteSize());
        if (dtype == TensorDType.I64)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = ReadInteger(dtype, source, i);
        }
    }

    public static void ToInt32(TensorDType dtype, ReadOnlySpan<byte> source, Span<int> destination)
    {
        RequireSizes(source.Length, destination.Length, dtype.ByteSize());
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (int)ReadInteger(dtype, source, i);
        }
    }

    private static long ReadInteger(TensorDType dtype, ReadOnlySpan<byte> source, int index) => dtype switch
    {
        TensorDType.Bool or TensorDType.U8 => source[index],
        TensorDType.I8 => (sbyte)source[index],
        TensorDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(source[(index * 2)..]),
        TensorDType.U16 => BinaryPrimitives.ReadUInt16LittleEndian(source[(index * 2)..]),
        TensorDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(source[(index * 4)..]),
        TensorDType.U32 => BinaryPrimitives.ReadUInt32LittleEndian(source[(index * 4)..]),
        TensorDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(source[(index * 8)..]),
        _ => throw new InvalidOperationException($"dtype {dtype.HeaderName()} is not an integer type."),
    };

    // Called once per tensor with a long loop: skip tier-0 so the vector path is optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DoubleToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        int count = destination.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref double src = ref Unsafe.As<byte, double>(ref MemoryMarshal.GetReference(source));
            ref float dst = ref MemoryMarshal.GetReference(destination);
            int step = Vector<float>.Count;
            for (; i <= count - step; i += step)
            {
                var low = Vector.LoadUnsafe(ref src, (nuint)i);
                var high = Vector.LoadUnsafe(ref src, (nuint)(i + Vector<double>.Count));
                Vector.Narrow(low, high).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 8)..]);
        }
    }

    private static void RequireSizes(int byteLength, int elementCount, int elementSize)
    {
        if ((long)elementCount * elementSize != byteLength)
        {
            throw new ArgumentException(
                $"{byteLength} bytes do not hold {elementCount} elements of {elementSize} bytes.");
        }
    }
}
