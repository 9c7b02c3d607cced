using System.Numerics;
using System.Numerics.Tensors;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>Element-wise forward and backward kernels. Shapes: x, y, dx, dy all [n].</summary>
internal static class ElementwiseKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Half = T.CreateTruncating(0.5);
    private static readonly T Two = T.CreateTruncating(2.0);
    private const int Chunk = 4096;

    public static void Unary(UnaryOp op, T[] x, T[] y)
    {
        CpuParallel.ForRanges((x.Length + Chunk - 1) / Chunk, Chunk * 4, (c0, c1) =>
        {
            int start = c0 * Chunk, end = Math.Min(x.Length, c1 * Chunk);
            UnaryRange(op, x.AsSpan(start, end - start), y.AsSpan(start, end - start));
        });
    }

    private static void UnaryRange(UnaryOp op, ReadOnlySpan<T> x, Span<T> y)
    {
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Divide(T.One, x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            case UnaryOp.GeluNew: GeluKernels<T>.Forward(x, y); break;
            default: throw new NotSupportedException(op.ToString());
        }
    }

    /// <summary>dx += f'(x)·dy.</summary>
    public static void UnaryBackward(UnaryOp op, T[] x, T[] y, T[] dy, T[] dx)
    {
        if (op == UnaryOp.GeluNew)
        {
            CpuParallel.ForRanges((x.Length + Chunk - 1) / Chunk, Chunk * 8, (c0, c1) =>
            {
                int start = c0 * Chunk, end = Math.Min(x.Length, c1 * Chunk);
                GeluKernels<T>.Backward(x.AsSpan(start, end - start), dy.AsSpan(start, end - start), dx.AsSpan(start, end - start));
            });
            return;
        }
        CpuParallel.ForRanges(x.Length, 8, (start, end) =>
        {
            for (int i = start; i < end; i++)
                dx[i] += Derivative(op, x[i], y[i]) * dy[i];
        });
    }

    private static T Derivative(UnaryOp op, T x, T y) => op switch
    {
        UnaryOp.Neg => -T.One,
        UnaryOp.Exp => y,
        UnaryOp.Log => T.One / x,
        UnaryOp.Sqrt => Half / y,
        UnaryOp.Tanh => T.One - y * y,
        UnaryOp.Square => Two * x,
        UnaryOp.Abs => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        UnaryOp.Reciprocal => -(y * y),
        UnaryOp.Relu => x > T.Zero ? T.One : T.Zero,
        _ => throw new NotSupportedException(op.ToString()),
    };

    /// <summary>y = alpha·x + beta·y.</summary>
    public static void Axpby(T alpha, T[] x, T beta, T[] y)
    {
        CpuParallel.ForRanges((x.Length + Chunk - 1) / Chunk, Chunk, (c0, c1) =>
        {
            int start = c0 * Chunk, end = Math.Min(x.Length, c1 * Chunk);
            var xs = x.AsSpan(start, end - start);
            var ys = y.AsSpan(start, end - start);
            if (beta == T.Zero) TensorPrimitives.Multiply(xs, alpha, ys);
            else if (beta == T.One && alpha == T.One) TensorPrimitives.Add(xs, ys, ys);
            else
            {
                TensorPrimitives.Multiply(ys, beta, ys);
                TensorPrimitives.MultiplyAdd(xs, alpha, ys, ys);
            }
        });
    }
}
