using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Layout kernels: permute, axis slices, row gathers/scatters and column picks. Index lists (ids, cols) live on the
/// device, uploaded by the host for each call (and range-checked there).
/// </summary>
internal static class LayoutKernels
{
    // y (+)= x permuted: y's axis k is x's axis perm[k]. yShape [rank]; xStridesPermuted[k] = x's stride of axis perm[k].
    public static void Permute<T>(ArrayView<T> x, Dims yShape, Dims xStridesPermuted, ArrayView<T> y, long n, int accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long i = First, step = GridStride; i < n; i += step)
        {
            long rest = i, offset = 0;
            for (int k = yShape.Rank - 1; k >= 0; k--)
            {
                offset += rest % yShape[k] * xStridesPermuted[k];
                rest /= yShape[k];
            }
            y[i] = accumulate != 0 ? y[i] + x[offset] : x[offset];
        }
    }

    // y[o, offset + a, i] (+)= x[o, a, i] for a < xAxis
    public static void CopyIntoAxis<T>(ArrayView<T> x, int outer, int xAxis, int inner, ArrayView<T> y, int yAxis, int offset, int accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long e = First, step = GridStride; e < (long)outer * xAxis * inner; e += step)
        {
            long i = e % inner, a = e / inner % xAxis, o = e / ((long)xAxis * inner);
            long target = (o * yAxis + offset + a) * inner + i;
            y[target] = accumulate != 0 ? y[target] + x[e] : x[e];
        }
    }

    // y[o, a, i] (+)= x[o, start + a, i] for a < length
    public static void CopyFromAxis<T>(ArrayView<T> x, int outer, int xAxis, int inner, int start, int length, ArrayView<T> y, int accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long e = First, step = GridStride; e < (long)outer * length * inner; e += step)
        {
            long i = e % inner, a = e / inner % length, o = e / ((long)length * inner);
            T v = x[(o * xAxis + start + a) * inner + i];
            y[e] = accumulate != 0 ? y[e] + v : v;
        }
    }

    // y[r, :] = table[ids[r], :]
    public static void GatherRows<T>(ArrayView<T> table, int width, ArrayView<int> ids, int rows, ArrayView<T> y) where T : unmanaged
    {
        for (long e = First, step = GridStride; e < (long)rows * width; e += step) y[e] = table[(long)ids[(int)(e / width)] * width + e % width];
    }

    // Half-stored embedding tables: rows widened to fp32 as they are gathered.
    public static void GatherRowsF16(ArrayView<ushort> table, int width, ArrayView<int> ids, int rows, ArrayView<float> y)
    {
        for (long e = First, step = GridStride; e < (long)rows * width; e += step)
            y[e] = ConversionKernels.HalfBitsToFloat(table[(long)ids[(int)(e / width)] * width + e % width]);
    }

    public static void GatherRowsBF16(ArrayView<ushort> table, int width, ArrayView<int> ids, int rows, ArrayView<float> y)
    {
        for (long e = First, step = GridStride; e < (long)rows * width; e += step)
            y[e] = ConversionKernels.BFloat16BitsToFloat(table[(long)ids[(int)(e / width)] * width + e % width]);
    }

    // table[ids[r], :] += dy[r, :]: one thread per column walks the rows in order (repeated ids add in row order, no atomics).
    public static void ScatterAddRows<T>(ArrayView<T> dy, int width, ArrayView<int> ids, int rows, ArrayView<T> table)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long j = First, step = GridStride; j < width; j += step)
            for (int r = 0; r < rows; r++) table[(long)ids[r] * width + j] += dy[(long)r * width + j];
    }

    // y[r] = x[r, cols[r]] (0 where cols[r] < 0)
    public static void PickColumns<T>(ArrayView<T> x, int n, ArrayView<int> cols, int rows, ArrayView<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long r = First, step = GridStride; r < rows; r += step) y[r] = cols[(int)r] < 0 ? T.Zero : x[r * n + cols[(int)r]];
    }

    // dx[r, cols[r]] += dy[r]
    public static void PickColumnsBackward<T>(ArrayView<T> dy, int n, ArrayView<int> cols, int rows, ArrayView<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long r = First, step = GridStride; r < rows; r += step)
            if (cols[(int)r] >= 0) dx[r * n + cols[(int)r]] += dy[r];
    }
}
