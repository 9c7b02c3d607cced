using System.Numerics;
using System.Numerics.Tensors;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Broadcasting binary ops and their adjoint (summing back to an input's shape).
/// Iterates every axis but the last with an odometer and treats the last axis as a span.
/// </summary>
internal static class BroadcastKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Strides of <paramref name="shape"/> seen in an output of shape <paramref name="outShape"/> (0 on broadcast axes).</summary>
    public static long[] StridesIn(int[] shape, int[] outShape)
    {
        int rank = outShape.Length;
        var strides = new long[rank];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            int axis = i + rank - shape.Length;
            strides[axis] = shape[i] == 1 && outShape[axis] != 1 ? 0 : s;
            s *= shape[i];
        }
        return strides;
    }

    public static void Binary(BinaryOp op, T[] a, int[] aShape, T[] b, int[] bShape, T[] y, int[] yShape)
    {
        if (yShape.Length == 0) { y[0] = Apply(op, a[0], b[0]); return; }
        if (Shape.SameAs(aShape, bShape))
        {
            Same(op, a, b, y);
            return;
        }
        long[] sa = StridesIn(aShape, yShape), sb = StridesIn(bShape, yShape);
        int last = yShape[^1], rows = (int)(y.LongLength / Math.Max(1, last));
        long saLast = sa[^1], sbLast = sb[^1];
        CpuParallel.ForRanges(rows, last, (r0, r1) =>
        {
            var index = new int[yShape.Length - 1];
            Unravel(r0, yShape, index);
            for (int r = r0; r < r1; r++)
            {
                long oa = 0, ob = 0;
                for (int d = 0; d < index.Length; d++) { oa += index[d] * sa[d]; ob += index[d] * sb[d]; }
                var ys = y.AsSpan(r * last, last);
                if (saLast == 1 && sbLast == 1) Spans(op, a.AsSpan((int)oa, last), b.AsSpan((int)ob, last), ys);
                else if (saLast == 1) SpanScalar(op, a.AsSpan((int)oa, last), b[ob], ys);
                else if (sbLast == 1) ScalarSpan(op, a[oa], b.AsSpan((int)ob, last), ys);
                else ys.Fill(Apply(op, a[oa], b[ob]));
                Increment(index, yShape);
            }
        });
    }

    private static void Same(BinaryOp op, T[] a, T[] b, T[] y)
    {
        const int chunk = 8192;
        CpuParallel.ForRanges((y.Length + chunk - 1) / chunk, chunk, (c0, c1) =>
        {
            int s = c0 * chunk, e = Math.Min(y.Length, c1 * chunk);
            Spans(op, a.AsSpan(s, e - s), b.AsSpan(s, e - s), y.AsSpan(s, e - s));
        });
    }

    private static T Apply(BinaryOp op, T a, T b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        _ => throw new NotSupportedException(op.ToString()),
    };

    private static void Spans(BinaryOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    private static void SpanScalar(BinaryOp op, ReadOnlySpan<T> a, T b, Span<T> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    private static void ScalarSpan(BinaryOp op, T a, ReadOnlySpan<T> b, Span<T> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(b, a, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, y); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    /// <summary>dst += src summed over the axes where dst broadcasts.</summary>
    public static void ReduceToShape(T[] src, int[] srcShape, T[] dst, int[] dstShape)
    {
        if (Shape.SameAs(srcShape, dstShape)) { TensorPrimitives.Add(src, dst, dst); return; }
        if (srcShape.Length == 0) { dst[0] += src[0]; return; }
        long[] sd = StridesIn(dstShape, srcShape);
        int last = srcShape[^1], rows = (int)(src.LongLength / Math.Max(1, last));
        var index = new int[srcShape.Length - 1];
        // Serial: several source rows add into the same destination row.
        for (int r = 0; r < rows; r++)
        {
            long od = 0;
            for (int d = 0; d < index.Length; d++) od += index[d] * sd[d];
            var row = src.AsSpan(r * last, last);
            if (sd[^1] == 1) TensorPrimitives.Add(row, dst.AsSpan((int)od, last), dst.AsSpan((int)od, last));
            else dst[od] += TensorPrimitives.Sum(row);
            Increment(index, srcShape);
        }
    }

    private static void Unravel(long flatRow, int[] shape, int[] index)
    {
        for (int d = index.Length - 1; d >= 0; d--)
        {
            index[d] = (int)(flatRow % shape[d]);
            flatRow /= shape[d];
        }
    }

    private static void Increment(int[] index, int[] shape)
    {
        for (int d = index.Length - 1; d >= 0; d--)
        {
            if (++index[d] < shape[d]) return;
            index[d] = 0;
        }
    }
}
