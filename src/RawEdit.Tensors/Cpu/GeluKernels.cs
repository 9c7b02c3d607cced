// gelu_new (GPT-2's tanh approximation), forward and backward, vectorised through TensorPrimitives on
// L1-sized pieces (each pass over a piece of ≤ 4096 values stays in L1 instead of streaming the range
// through memory once per pass).
//
//   y  = ½·x·(1 + tanh u),  u = c·(x + a·x³),  c = √(2/π),  a = 0.044715
//   y' = ½·(1 + tanh u) + ½·x·(1 − tanh²u)·c·(1 + 3a·x²)
// Shapes: x, y, dx, dy [n].

using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace RawEdit.Tensors.Cpu;

internal static class GeluKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Half = T.CreateTruncating(0.5);
    private static readonly T Scale = T.CreateTruncating(Math.Sqrt(2.0 / Math.PI));
    private static readonly T Cubic = T.CreateTruncating(0.044715);
    private static readonly T CubicDerivative = T.CreateTruncating(3 * 0.044715);

    /// <summary>Values per piece: three scratch rows of it fit L1 beside the operands.</summary>
    public const int Piece = 1024;

    /// <summary>y = gelu_new(x) over one range.</summary>
    public static void Forward(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int s = 0; s < x.Length; s += Piece)
        {
            int n = Math.Min(Piece, x.Length - s);
            ForwardPiece(x.Slice(s, n), y.Slice(s, n));
        }
    }

    // y ← tanh(c·x·(1 + a·x²)), then y ← ½·x·(1 + y), y serving as scratch.
    private static void ForwardPiece(ReadOnlySpan<T> x, Span<T> y)
    {
        TensorPrimitives.Multiply(x, x, y);
        TensorPrimitives.Multiply(y, Cubic, y);
        TensorPrimitives.Add(y, T.One, y);
        TensorPrimitives.Multiply(y, x, y);
        TensorPrimitives.Multiply(y, Scale, y);
        TensorPrimitives.Tanh(y, y);
        TensorPrimitives.Add(y, T.One, y);
        TensorPrimitives.Multiply(y, x, y);
        TensorPrimitives.Multiply(y, Half, y);
    }

    /// <summary>dx += gelu_new'(x)·dy over one range.</summary>
    public static void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
    {
        T[] scratch = ArrayPool<T>.Shared.Rent(3 * Piece);
        try
        {
            for (int s = 0; s < x.Length; s += Piece)
            {
                int n = Math.Min(Piece, x.Length - s);
                BackwardPiece(x.Slice(s, n), dy.Slice(s, n), dx.Slice(s, n),
                    scratch.AsSpan(0, n), scratch.AsSpan(Piece, n), scratch.AsSpan(2 * Piece, n));
            }
        }
        finally { ArrayPool<T>.Shared.Return(scratch); }
    }

    private static void BackwardPiece(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, Span<T> x2, Span<T> t, Span<T> d)
    {
        TensorPrimitives.Multiply(x, x, x2);                 // x²
        TensorPrimitives.Multiply(x2, Cubic, t);
        TensorPrimitives.Add(t, T.One, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, Scale, t);
        TensorPrimitives.Tanh(t, t);                          // t = tanh u
        TensorPrimitives.Multiply(t, t, d);
        TensorPrimitives.Subtract(T.One, d, d);               // 1 − t²
        TensorPrimitives.Multiply(d, x, d);
        TensorPrimitives.Multiply(d, Scale, d);
        TensorPrimitives.Multiply(x2, CubicDerivative, x2);
        TensorPrimitives.Add(x2, T.One, x2);                  // 1 + 3a·x²
        TensorPrimitives.Multiply(d, x2, d);                  // x·(1 − t²)·c·(1 + 3a·x²)
        TensorPrimitives.Add(d, t, d);
        TensorPrimitives.Add(d, T.One, d);
        TensorPrimitives.Multiply(d, Half, d);                // y'
        TensorPrimitives.MultiplyAdd(d, dy, dx, dx);
    }
}
