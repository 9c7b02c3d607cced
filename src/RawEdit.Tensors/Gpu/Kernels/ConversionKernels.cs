using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Element type conversions, as <see cref="HalfPrecision"/> on the host: widening is exact, narrowing rounds to nearest
/// even, NaN stays a quiet NaN. Half types travel as their 16-bit patterns (ushort).
/// </summary>
internal static class ConversionKernels
{
    /// <summary>IEEE binary16 bits to float.</summary>
    public static float HalfBitsToFloat(ushort h)
    {
        uint sign = (uint)(h & 0x8000) << 16, exponent = (uint)(h >> 10) & 0x1f, mantissa = h & 0x3ffu;
        if (exponent == 0x1f) return Interop.IntAsFloat(sign | 0x7f800000u | (mantissa << 13));   // inf / NaN
        if (exponent == 0)
        {
            if (mantissa == 0) return Interop.IntAsFloat(sign);
            float value = mantissa * 5.9604644775390625e-8f;                                     // subnormal: m·2^-24
            return sign != 0 ? -value : value;
        }
        return Interop.IntAsFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    }

    /// <summary>bfloat16 bits to float: the top half of the float's bits.</summary>
    public static float BFloat16BitsToFloat(ushort h) => Interop.IntAsFloat((uint)h << 16);

    public static ushort FloatToHalfBits(float f)
    {
        uint x = Interop.FloatAsInt(f), sign = (x >> 16) & 0x8000u, magnitude = x & 0x7fffffffu;
        if (magnitude >= 0x7f800000u) return (ushort)(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u));
        if (magnitude >= 0x477ff000u) return (ushort)(sign | 0x7c00u);                          // rounds past 65504: inf
        if (magnitude < 0x38800000u)
        {
            // Below 2^-14: a subnormal half m·2^-24 with m = round(mantissa·2^(e − 126)), to nearest even.
            int shift = 126 - (int)(magnitude >> 23);
            if (shift > 24) return (ushort)sign;
            uint full = (magnitude & 0x7fffffu) | 0x800000u;
            uint m = full >> shift, rest = full & ((1u << shift) - 1), halfway = 1u << (shift - 1);
            if (rest > halfway || (rest == halfway && (m & 1) != 0)) m++;
            return (ushort)(sign | m);
        }
        uint rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);                           // nearest even on the dropped 13 bits
        return (ushort)(sign | ((rounded - 0x38000000u) >> 13));
    }

    public static ushort FloatToBFloat16Bits(float f)
    {
        uint x = Interop.FloatAsInt(f);
        if ((x & 0x7fffffffu) > 0x7f800000u) return (ushort)((x >> 16) | 0x40u);                 // quiet NaN
        return (ushort)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
    }

    public static void F16ToF32(ArrayView<ushort> x, ArrayView<float> y, long n)
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = HalfBitsToFloat(x[i]);
    }

    public static void BF16ToF32(ArrayView<ushort> x, ArrayView<float> y, long n)
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = BFloat16BitsToFloat(x[i]);
    }

    public static void F32ToF16(ArrayView<float> x, ArrayView<ushort> y, long n)
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = FloatToHalfBits(x[i]);
    }

    public static void F32ToBF16(ArrayView<float> x, ArrayView<ushort> y, long n)
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = FloatToBFloat16Bits(x[i]);
    }

    public static void F32ToF64(ArrayView<float> x, ArrayView<double> y, long n)
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = x[i];
    }

    public static void F64ToF32(ArrayView<double> x, ArrayView<float> y, long n)
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = (float)x[i];
    }
}
