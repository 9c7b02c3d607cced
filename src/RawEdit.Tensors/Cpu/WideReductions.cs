// Sums and dot products of fp32 rows accumulated in float64, for the places where the result is then
// subtracted from values of its own size (softmax backward: dy − Σ y·dy), so that its rounding would
// otherwise be magnified. The order of the float64 additions depends on the vector width, but their
// rounding (≈ 1e-16 relative) is far below one fp32 ulp of the result; double rows use TensorPrimitives.

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace RawEdit.Tensors.Cpu;

internal static class WideReductions
{
    /// <summary>Σ_i a[i]·b[i], accumulated in float64 and rounded once to T.</summary>
    public static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float)) return TensorPrimitives.Dot(a, b);
        var x = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(a);
        var y = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(b);
        Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= x.Length; i += 8)
        {
            var (xl, xh) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
            var (yl, yh) = Vector256.Widen(Vector256.Create(y.Slice(i, 8)));
            lo = Vector256.FusedMultiplyAdd(xl, yl, lo);
            hi = Vector256.FusedMultiplyAdd(xh, yh, hi);
        }
        double sum = Vector256.Sum(lo + hi);
        for (; i < x.Length; i++) sum += (double)x[i] * y[i];
        return T.CreateTruncating(sum);
    }

    /// <summary>Σ_i a[i], accumulated in float64 and rounded once to T.</summary>
    public static T Sum<T>(ReadOnlySpan<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float)) return TensorPrimitives.Sum(a);
        var x = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(a);
        Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
        int i = 0;
        for (; i + 8 <= x.Length; i += 8)
        {
            var (xl, xh) = Vector256.Widen(Vector256.Create(x.Slice(i, 8)));
            lo += xl;
            hi += xh;
        }
        double sum = Vector256.Sum(lo + hi);
        for (; i < x.Length; i++) sum += x[i];
        return T.CreateTruncating(sum);
    }
}
