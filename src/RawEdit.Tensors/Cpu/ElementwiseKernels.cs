using System.Numerics;
using System.Numerics.Tensors;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>Element-wise forward and backward kernels. Shapes: x, y, dx, dy all [n].</summary>
internal static class ElementwiseKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Half = T.CreateTruncating(0.5);
    private static readonly T Two = T.CreateTruncating(2.0);
    // gelu_new (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    private static readonly T GeluScale = T.CreateTruncating(Math.Sqrt(2.0 / Math.PI));
    private static readonly T GeluCubic = T.CreateTruncating(0.044715);
    private static readonly T GeluCubicDerivative = T.CreateTruncating(3 * 0.044715);
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
            case UnaryOp.GeluNew: GeluNew(x, y); break;
            default: throw new NotSupportedException(op.ToString());
        }
    }

    private static void GeluNew(ReadOnlySpan<T> x, Span<T> y)
    {
        // y ← tanh(c·(x + a·x³)), then y ← 0.5·x·(1 + y), reusing y as scratch.
        TensorPrimitives.Multiply(x, x, y);
        TensorPrimitives.Multiply(y, GeluCubic, y);
        TensorPrimitives.Add(y, T.One, y);
        TensorPrimitives.Multiply(y, x, y);
        TensorPrimitives.Multiply(y, GeluScale, y);
        TensorPrimitives.Tanh(y, y);
        TensorPrimitives.Add(y, T.One, y);
        TensorPrimitives.Multiply(y, x, y);
        TensorPrimitives.Multiply(y, Half, y);
    }

    /// <summary>dx += f'(x)·dy.</summary>
    public static void UnaryBackward(UnaryOp op, T[] x, T[] y, T[] dy, T[] dx)
    {
        if (op == UnaryOp.GeluNew)
        {
            CpuParallel.ForRanges((x.Length + Chunk - 1) / Chunk, Chunk * 16, (c0, c1) =>
            {
                var scratch = new T[3 * Chunk];
                for (int c = c0; c < c1; c++)
                {
                    int start = c * Chunk, length = Math.Min(Chunk, x.Length - start);
                    GeluNewBackward(x.AsSpan(start, length), dy.AsSpan(start, length), dx.AsSpan(start, length), scratch.AsSpan(0, 3 * length));
                }
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

    // d/dx gelu_new = 0.5(1 + tanh u) + 0.5·x·(1 − tanh²u)·c·(1 + 3a·x²),  u = c(x + a·x³), vectorised over the span:
    // dx += that · dy. scratch [3n] holds t = tanh u, s and r.
    private static void GeluNewBackward(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, Span<T> scratch)
    {
        int n = x.Length;
        Span<T> t = scratch[..n], s = scratch.Slice(n, n), r = scratch.Slice(2 * n, n);
        TensorPrimitives.Multiply(x, x, s);                 // s = x²
        TensorPrimitives.Multiply(s, GeluCubic, t);
        TensorPrimitives.Add(t, T.One, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, GeluScale, t);
        TensorPrimitives.Tanh(t, t);                        // t = tanh u
        TensorPrimitives.Multiply(s, GeluCubicDerivative, s);
        TensorPrimitives.Add(s, T.One, s);
        TensorPrimitives.Multiply(s, x, s);
        TensorPrimitives.Multiply(s, Half * GeluScale, s);  // s = 0.5·c·x·(1 + 3a·x²)
        TensorPrimitives.Multiply(t, t, r);
        TensorPrimitives.Subtract(T.One, r, r);
        TensorPrimitives.Multiply(s, r, s);                 // s = 0.5·c·x·(1 − t²)(1 + 3a·x²)
        TensorPrimitives.Multiply(t, Half, r);
        TensorPrimitives.Add(r, Half, r);                   // r = 0.5(1 + t)
        TensorPrimitives.Add(s, r, s);
        TensorPrimitives.MultiplyAdd(s, dy, dx, dx);
    }

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
