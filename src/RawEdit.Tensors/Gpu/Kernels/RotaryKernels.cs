using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Rotary position embedding, GPT-J's rotate-every-two layout, on x, y [B, T, H·D]: channel pairs (2i, 2i+1) with
/// 2i &lt; rotaryDim of every head rotated by θ = t·10000^(−2i/rotaryDim) at position t (−θ for the inverse, the
/// backward); channels from rotaryDim on copied. Angles in float64, as the CPU's table. y (+)= the result.
/// </summary>
internal static class RotaryKernels
{
    public static void Rotary<T, R>(ArrayView<T> x, ArrayView<T> y, int batch, int t, int heads, int headDim, int rotaryDim, int inverse, int accumulate)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        int c = heads * headDim;
        for (long e = First, step = GridStride; e < (long)batch * t * c; e += step)
        {
            int channel = (int)(e % c), position = (int)(e / c % t), within = channel % headDim;
            T value;
            if (within < rotaryDim)
            {
                int pair = within / 2;
                double angle = position * (1.0 / Math.Pow(10000.0, 2.0 * pair / rotaryDim));
                T s = R.Of(Math.Sin(angle)), co = R.Of(Math.Cos(angle));
                if (inverse != 0) s = -s;
                long first = e - (within & 1);
                T x0 = x[first], x1 = x[first + 1];
                value = (within & 1) == 0 ? x0 * co - x1 * s : x1 * co + x0 * s;
            }
            else value = x[e];
            y[e] = accumulate != 0 ? y[e] + value : value;
        }
    }
}
