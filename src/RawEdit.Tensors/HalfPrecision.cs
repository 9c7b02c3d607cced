using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawEdit.Tensors;

/// <summary>
/// IEEE half (F16) and bfloat16 (BF16) to and from fp32. Widening is exact for every value; narrowing rounds to
/// nearest, ties to even. Sources may be unaligned (they come straight from a mapped file), so every vector load is
/// an unaligned one. Checkpoint reading and writing and half-stored weights all convert through here.
/// </summary>
internal static class HalfPrecision
{
    /// <summary>2^(127-15): rescales an F16 exponent placed in an fp32 exponent field.</summary>
    private static readonly float TwoToThe112 = BitConverter.UInt32BitsToSingle(0x77800000);

    /// <summary>destination[i] = (float)source[i] for F16 or BF16 bit patterns.</summary>
    public static void ToSingle(DType kind, ReadOnlySpan<ushort> source, Span<float> destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"{source.Length} half elements do not fill {destination.Length} floats");
        switch (kind)
        {
            case DType.F16: HalfToSingle(source, destination); break;
            case DType.BF16: BFloat16ToSingle(source, destination); break;
            default: throw new ArgumentException($"{kind} is not a half-precision type");
        }
    }

    /// <summary>Little-endian bytes of F16 or BF16 elements to fp32 (the byte count must be twice the element count).</summary>
    public static void ToSingle(DType kind, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length != 2L * destination.Length)
            throw new ArgumentException($"{source.Length} bytes do not hold {destination.Length} elements of 2 bytes.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("half-precision data is read on little-endian hosts only");
        ToSingle(kind, MemoryMarshal.Cast<byte, ushort>(source), destination);
    }

    // Called once per tensor with a long loop: skip tier-0 so the vector path is optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        int count = destination.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref ushort src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            int step = Vector<ushort>.Count;
            for (; i <= count - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out Vector<uint> low, out Vector<uint> high);
                HalfBitsToSingle(low).StoreUnsafe(ref dst, (nuint)i);
                HalfBitsToSingle(high).StoreUnsafe(ref dst, (nuint)(i + Vector<uint>.Count));
            }
        }
        for (; i < count; i++) destination[i] = (float)BitConverter.UInt16BitsToHalf(source[i]);
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

    // BF16 is the upper half of an fp32, so widening is a plain 16-bit shift.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        int count = destination.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref ushort src = ref MemoryMarshal.GetReference(source);
            ref uint dst = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
            int step = Vector<ushort>.Count;
            for (; i <= count - step; i += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out Vector<uint> low, out Vector<uint> high);
                Vector.ShiftLeft(low, 16).StoreUnsafe(ref dst, (nuint)i);
                Vector.ShiftLeft(high, 16).StoreUnsafe(ref dst, (nuint)(i + Vector<uint>.Count));
            }
        }
        for (; i < count; i++) destination[i] = BitConverter.UInt32BitsToSingle((uint)source[i] << 16);
    }

    /// <summary>destination[i] = source[i] rounded to F16 or BF16 (nearest, ties to even).</summary>
    public static void FromSingle(DType kind, ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"{source.Length} floats do not fill {destination.Length} half elements");
        switch (kind)
        {
            case DType.F16: SingleToHalf(source, destination); break;
            case DType.BF16: SingleToBFloat16(source, destination); break;
            default: throw new ArgumentException($"{kind} is not a half-precision type");
        }
    }

    /// <summary>fp32 to little-endian F16 or BF16 bytes (the byte count must be twice the element count).</summary>
    public static void FromSingle(DType kind, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (destination.Length != 2L * source.Length)
            throw new ArgumentException($"{destination.Length} bytes do not hold {source.Length} elements of 2 bytes.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("half-precision data is written on little-endian hosts only");
        FromSingle(kind, source, MemoryMarshal.Cast<byte, ushort>(destination));
    }

    // Scalar: the Half cast already rounds to nearest-even with correct subnormal/overflow handling.
    private static void SingleToHalf(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        for (int i = 0; i < source.Length; i++) destination[i] = BitConverter.HalfToUInt16Bits((Half)source[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SingleToBFloat16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        int count = source.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
            ref ushort dst = ref MemoryMarshal.GetReference(destination);
            int step = Vector<ushort>.Count;
            for (; i <= count - step; i += step)
            {
                var low = SingleBitsToBFloat16(Vector.LoadUnsafe(ref src, (nuint)i));
                var high = SingleBitsToBFloat16(Vector.LoadUnsafe(ref src, (nuint)(i + Vector<uint>.Count)));
                Vector.Narrow(low, high).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < count; i++) destination[i] = (ushort)SingleBitsToBFloat16(BitConverter.SingleToUInt32Bits(source[i]));
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

    private static uint SingleBitsToBFloat16(uint bits) =>
        (bits & 0x7FFFFFFF) > 0x7F800000 ? (bits >> 16) | 0x0040 : (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
}
