using System.Numerics;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Rotary position embedding in the rotate-every-two layout (see <c>Ops.RotaryEmbedding</c>).
/// Shapes: x, y [B,T,H·D]; the angle table [T, rotaryDim/2] is computed in float64.
/// </summary>
internal static class RotaryKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// y (+)= R(±θ)·x per (row, head) pair block; inverse rotates by −θ (the transpose, for backward).
    /// Channels beyond rotaryDim are copied (or added) unchanged.
    /// </summary>
    public static void Apply(T[] x, T[] y, int b, int t, int heads, int headDim, int rotaryDim, bool inverse, bool accumulate)
    {
        var (sin, cos) = Tables(t, rotaryDim, inverse);
        int pairs = rotaryDim / 2, c = heads * headDim;
        CpuParallel.ForRanges(b * t, 4L * c, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int position = r % t;
                var xs = x.AsSpan(r * c, c);
                var ys = y.AsSpan(r * c, c);
                for (int h = 0; h < heads; h++)
                {
                    int head = h * headDim;
                    for (int i = 0; i < pairs; i++)
                    {
                        T s = sin[position * pairs + i], co = cos[position * pairs + i];
                        T x0 = xs[head + 2 * i], x1 = xs[head + 2 * i + 1];
                        T y0 = x0 * co - x1 * s, y1 = x1 * co + x0 * s;
                        if (accumulate) { ys[head + 2 * i] += y0; ys[head + 2 * i + 1] += y1; }
                        else { ys[head + 2 * i] = y0; ys[head + 2 * i + 1] = y1; }
                    }
                    for (int j = head + rotaryDim; j < head + headDim; j++)
                        ys[j] = accumulate ? ys[j] + xs[j] : xs[j];
                }
            }
        });
    }

    /// <summary>sin θ, cos θ [T, rotaryDim/2], θ[p,i] = p / 10000^(2i/rotaryDim); sin negated for the inverse rotation.</summary>
    private static (T[] Sin, T[] Cos) Tables(int t, int rotaryDim, bool inverse)
    {
        int pairs = rotaryDim / 2;
        var sin = new T[t * pairs];
        var cos = new T[t * pairs];
        for (int i = 0; i < pairs; i++)
        {
            double inverseFrequency = 1.0 / Math.Pow(10000.0, 2.0 * i / rotaryDim);
            for (int p = 0; p < t; p++)
            {
                double angle = p * inverseFrequency;
                sin[p * pairs + i] = T.CreateTruncating(inverse ? -Math.Sin(angle) : Math.Sin(angle));
                cos[p * pairs + i] = T.CreateTruncating(Math.Cos(angle));
            }
        }
        return (sin, cos);
    }
}
