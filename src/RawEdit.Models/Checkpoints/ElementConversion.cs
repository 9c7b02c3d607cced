using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Converts little-endian element bytes to and from fp32. The hot paths (F16/BF16/F64 to fp32
/// and fp32 to BF16) use <see cref="Vector{T}"/> because a 6B-parameter model means billions of
/// elements; sources may be unaligned (they come straight from a mapped file), so every vector
/// load and store is an unaligned one.
/// </summary>
internal static class ElementConversion
{
    /// <summary>2^(127-15): rescales an F16 exponent placed in an fp32 exponent field.</summary>
    private static readonly float TwoToThe112 = BitConverter.UInt32BitsToSingle(0x77800000);

    public static void ToFloat32(TensorDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        RequireSizes(source.Length, destination.Length, dtype.ByteSize());
        switch (dtype)
        {
            case TensorDType.F32: source.CopyTo(MemoryMarshal.AsBytes(destination)); break;
            case TensorDType.F16: HalfToSingle(source, destination); break;
            case TensorDType.BF16: BFloat16ToSingle(source, destination); break;
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
            case TensorDType.F16: SingleToHalf(source, destination); break;
            case TensorDType.BF16: SingleToBFloat16(source, destination); break;
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
    private static void HalfToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        int count = destination.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref ushort src = ref Unsafe.As<byte, ushort>(ref MemoryMarshal.GetReference(source));
            ref float dst = ref MemoryMarshal.GetReference(destination);
            int step = Vector<ushort>.Count;
            for (; i <= count - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out Vector<uint> low, out Vector<uint> high);
                HalfBitsToSingle(low).StoreUnsafe(ref dst, (nuint)i);
                HalfBitsToSingle(high).StoreUnsafe(ref dst, (nuint)(i + Vector<uint>.Count));
            }
        }
        for (; i < count; i++)
        {
            destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
        }
    }

    /// <summary>
    /// Moves the 15 magnitude bits into fp32 position and rescales by 2^112 (the exponent-bias
    /// difference); that single exact multiply handles zeros, subnormals and normals alike.
    /// Inf/NaN instead get the all-ones fp32 exponent with the mantissa (payload) kept.
    /// </summary>
    private static Vector<float> HalfBitsToSingle(Vector<uint> half)
    {
        var magnitude = half & new Vector<uint>(0x7FFF);
        var sign = Vector.ShiftLeft(half & new Vector<uint>(0x8000), 16);
        var shifted = Vector.ShiftLeft(magnitude, 13);
        var scaled = Vector.AsVectorUInt32(Vector.AsVectorSingle(shifted) * new Vector<float>(TwoToThe112));
        var infOrNaN = shifted | new Vector<uint>(0x7F800000);
        var isInfOrNaN = Vector.GreaterThanOrEqual(magnitude, new Vector<uint>(0x7C00));
        return Vector.AsVectorSingle(Vector.ConditionalSelect(isInfOrNaN, infOrNaN, scaled) | sign);
    }

    // Called once per tensor with a long loop: skip tier-0 so the vector path is optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BFloat16ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        int count = destination.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref ushort src = ref Unsafe.As<byte, ushort>(ref MemoryMarshal.GetReference(source));
            ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
            int step = Vector<ushort>.Count;
            for (; i <= count - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out Vector<uint> low, out Vector<uint> high);
                Vector.ShiftLeft(low, 16).StoreUnsafe(ref dst, (nuint)i);
                Vector.ShiftLeft(high, 16).StoreUnsafe(ref dst, (nuint)(i + Vector<uint>.Count));
            }
        }
        for (; i < count; i++)
        {
            // BF16 is the upper half of an fp32, so widening is a plain 16-bit shift.
            uint bits = (uint)BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16;
            destination[i] = BitConverter.UInt32BitsToSingle(bits);
        }
    }

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

    private static void SingleToHalf(ReadOnlySpan<float> source, Span<byte> destination)
    {
        // Scalar: the Half cast already rounds to nearest-even with correct subnormal/overflow handling.
        for (int i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)source[i]);
        }
    }

    // Called once per tensor with a long loop: skip tier-0 so the vector path is optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SingleToBFloat16(ReadOnlySpan<float> source, Span<byte> destination)
    {
        int count = source.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
            ref ushort dst = ref Unsafe.As<byte, ushort>(ref MemoryMarshal.GetReference(destination));
            int step = Vector<ushort>.Count;
            for (; i <= count - step; i += step)
            {
                var low = SingleBitsToBFloat16(Vector.LoadUnsafe(ref src, (nuint)i));
                var high = SingleBitsToBFloat16(Vector.LoadUnsafe(ref src, (nuint)(i + Vector<uint>.Count)));
                Vector.Narrow(low, high).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            uint bits = SingleBitsToBFloat16(BitConverter.SingleToUInt32Bits(source[i]));
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], (ushort)bits);
        }
    }

    /// <summary>Round to nearest, ties to even; NaN keeps its sign and top payload bits but is forced quiet.</summary>
    private static Vector<uint> SingleBitsToBFloat16(Vector<uint> bits)
    {
        var upper = Vector.ShiftRightLogical(bits, 16);
        var tieToEven = upper & Vector<uint>.One;
        var rounded = Vector.ShiftRightLogical(bits + new Vector<uint>(0x7FFF) + tieToEven, 16);
        var isNaN = Vector.GreaterThan(bits & new Vector<uint>(0x7FFFFFFF), new Vector<uint>(0x7F800000));
        return Vector.ConditionalSelect(isNaN, upper | new Vector<uint>(0x0040), rounded);
    }

    private static uint SingleBitsToBFloat16(uint bits)
    {
        if ((bits & 0x7FFFFFFF) > 0x7F800000)
        {
            return (bits >> 16) | 0x0040;
        }
        return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
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
