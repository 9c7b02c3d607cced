using System.Numerics;
using System.Numerics.Tensors;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Data movement: permutes, copies along an axis (slice / concat), row gathers and column picks,
/// each with its adjoint. Axis views are outer × axis × inner of a contiguous tensor.
/// </summary>
internal static class LayoutKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y (shape xShape[perm]) (+)= x transposed.</summary>
    public static void Permute(T[] x, int[] xShape, int[] perm, T[] y, bool accumulate)
    {
        int rank = xShape.Length;
        var xStrides = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) { xStrides[d] = s; s *= xShape[d]; }
        var yShape = new int[rank];
        var strideInX = new long[rank];
        for (int d = 0; d < rank; d++) { yShape[d] = xShape[perm[d]]; strideInX[d] = xStrides[perm[d]]; }
        int last = rank == 0 ? 1 : yShape[^1];
        long lastStride = rank == 0 ? 1 : strideInX[^1];
        int rows = (int)(y.LongLength / Math.Max(1, last));
        CpuParallel.ForRanges(rows, last, (r0, r1) =>
        {
            var index = new int[Math.Max(0, rank - 1)];
            long flat = r0;
            for (int d = index.Length - 1; d >= 0; d--) { index[d] = (int)(flat % yShape[d]); flat /= yShape[d]; }
            for (int r = r0; r < r1; r++)
            {
                long ox = 0;
                for (int d = 0; d < index.Length; d++) ox += index[d] * strideInX[d];
                int oy = r * last;
                if (accumulate)
                    for (int j = 0; j < last; j++) y[oy + j] += x[ox + j * lastStride];
                else
                    for (int j = 0; j < last; j++) y[oy + j] = x[ox + j * lastStride];
                for (int d = index.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < yShape[d]) break;
                    index[d] = 0;
                }
            }
        });
    }

    /// <summary>y[o, offset + a, i] (+)= x[o, a, i].</summary>
    public static void CopyIntoAxis(T[] x, int outer, int xAxis, int inner, T[] y, int yAxis, int offset, bool accumulate)
    {
        int block = xAxis * inner;
        for (int o = 0; o < outer; o++)
        {
            var src = x.AsSpan(o * block, block);
            var dst = y.AsSpan((o * yAxis + offset) * inner, block);
            if (accumulate) TensorPrimitives.Add(src, dst, dst);
            else src.CopyTo(dst);
        }
    }

    /// <summary>y[o, a, i] (+)= x[o, start + a, i] for a &lt; length.</summary>
    public static void CopyFromAxis(T[] x, int outer, int xAxis, int inner, int start, int length, T[] y, bool accumulate)
    {
        int block = length * inner;
        for (int o = 0; o < outer; o++)
        {
            var src = x.AsSpan((o * xAxis + start) * inner, block);
            var dst = y.AsSpan(o * block, block);
            if (accumulate) TensorPrimitives.Add(src, dst, dst);
            else src.CopyTo(dst);
        }
    }

    public static void GatherRows(T[] table, int width, ReadOnlySpan<int> ids, T[] y)
    {
        int rows = table.Length / width;
        for (int r = 0; r < ids.Length; r++)
        {
            int id = ids[r];
            if ((uint)id >= (uint)rows) throw new ArgumentOutOfRangeException(nameof(ids), $"row index {id} outside [0, {rows})");
            table.AsSpan(id * width, width).CopyTo(y.AsSpan(r * width, width));
        }
    }

    public static void ScatterAddRows(T[] dy, int width, ReadOnlySpan<int> ids, T[] table)
    {
        for (int r = 0; r < ids.Length; r++)
        {
            var dst = table.AsSpan(ids[r] * width, width);
            TensorPrimitives.Add(dy.AsSpan(r * width, width), dst, dst);
        }
    }

    public static void PickColumns(T[] x, int n, ReadOnlySpan<int> cols, T[] y)
    {
        for (int r = 0; r < cols.Length; r++)
        {
            if (cols[r] >= n) throw new ArgumentOutOfRangeException(nameof(cols), $"column {cols[r]} outside [0, {n})");
            y[r] = cols[r] < 0 ? T.Zero : x[(long)r * n + cols[r]];
        }
    }

    public static void PickColumnsBackward(T[] dy, int n, ReadOnlySpan<int> cols, T[] dx)
    {
        for (int r = 0; r < cols.Length; r++)
            if (cols[r] >= 0) dx[(long)r * n + cols[r]] += dy[r];
    }

    /// <summary>y[o, i] (+)= Σ_a x[o, a, i].</summary>
    public static void SumAxis(T[] x, T[] y, int outer, int axis, int inner, bool accumulate)
    {
        CpuParallel.ForRanges(outer, (long)axis * inner, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                var dst = y.AsSpan(o * inner, inner);
                if (inner == 1)
                {
                    T sum = TensorPrimitives.Sum(x.AsSpan(o * axis, axis));
                    dst[0] = accumulate ? dst[0] + sum : sum;
                    continue;
                }
                if (!accumulate) dst.Clear();
                for (int a = 0; a < axis; a++)
                    TensorPrimitives.Add(x.AsSpan((o * axis + a) * inner, inner), dst, dst);
            }
        });
    }

    /// <summary>y[o, a, i] += x[o, i].</summary>
    public static void BroadcastAxisAdd(T[] x, T[] y, int outer, int axis, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            var src = x.AsSpan(o * inner, inner);
            for (int a = 0; a < axis; a++)
            {
                var dst = y.AsSpan((o * axis + a) * inner, inner);
                TensorPrimitives.Add(src, dst, dst);
            }
        }
    }
}
