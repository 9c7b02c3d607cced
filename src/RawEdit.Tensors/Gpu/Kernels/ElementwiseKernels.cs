using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Element-wise kernels: unary functions and their derivatives, broadcast binary ops, axpby, fill. Op numbers follow
/// <see cref="Backend.UnaryOp"/> / <see cref="Backend.BinaryOp"/>. Shapes: x, y, dx, dy all [n].
/// </summary>
internal static class ElementwiseKernels
{
    // gelu_new (GPT-2): 0.5·x·(1 + tanh(c·(x + a·x³))), c = √(2/π), a = 0.044715
    private const double GeluScale = 0.7978845608028654, GeluCubic = 0.044715;

    private static T GeluNew<T, R>(T x) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T> =>
        R.Of(0.5) * x * (T.One + T.Tanh(R.Of(GeluScale) * (x + R.Of(GeluCubic) * x * x * x)));

    private static T GeluNewDerivative<T, R>(T x) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        T c = R.Of(GeluScale), a = R.Of(GeluCubic), half = R.Of(0.5);
        T t = T.Tanh(c * (x + a * x * x * x));
        return half * (T.One + t) + half * x * (T.One - t * t) * c * (T.One + R.Of(3.0) * a * x * x);
    }

    private static T Apply<T, R>(int op, T x) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T> => op switch
    {
        0 => -x,                                    // Neg
        1 => T.Exp(x),                              // Exp
        2 => T.Log(x),                              // Log
        3 => T.Sqrt(x),                             // Sqrt
        4 => T.Tanh(x),                             // Tanh
        5 => GeluNew<T, R>(x),                      // GeluNew
        6 => x > T.Zero ? x : T.Zero,               // Relu
        7 => x * x,                                 // Square
        8 => T.Abs(x),                              // Abs
        _ => T.One / x,                             // Reciprocal
    };

    /// <summary>f'(x), given y = f(x) where the derivative reuses it.</summary>
    private static T Derivative<T, R>(int op, T x, T y) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T> => op switch
    {
        0 => -T.One,
        1 => y,
        2 => T.One / x,
        3 => R.Of(0.5) / y,
        4 => T.One - y * y,
        5 => GeluNewDerivative<T, R>(x),
        6 => x > T.Zero ? T.One : T.Zero,
        7 => R.Of(2.0) * x,
        8 => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        _ => -(y * y),
    };

    // y = f(x)
    public static void Unary<T, R>(int op, ArrayView<T> x, ArrayView<T> y, long n)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = Apply<T, R>(op, x[i]);
    }

    // dx += f'(x)·dy
    public static void UnaryBackward<T, R>(int op, ArrayView<T> x, ArrayView<T> y, ArrayView<T> dy, ArrayView<T> dx, long n)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        for (long i = First, step = GridStride; i < n; i += step) dx[i] += Derivative<T, R>(op, x[i], y[i]) * dy[i];
    }

    // y = a ∘ b under NumPy broadcasting: shapes right-aligned to y's rank, strides 0 on broadcast axes (aStrides and
    // bStrides are element strides per y axis, computed by the host).
    public static void Binary<T>(int op, ArrayView<T> a, Dims aStrides, ArrayView<T> b, Dims bStrides, ArrayView<T> y, Dims yShape, long n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long i = First, step = GridStride; i < n; i += step)
        {
            long rest = i, ai = 0, bi = 0;
            for (int axis = yShape.Rank - 1; axis >= 0; axis--)
            {
                long coordinate = rest % yShape[axis];
                rest /= yShape[axis];
                ai += coordinate * aStrides[axis];
                bi += coordinate * bStrides[axis];
            }
            T u = a[ai], v = b[bi];
            y[i] = op == 0 ? u + v : op == 1 ? u - v : op == 2 ? u * v : u / v;
        }
    }

    // y = alpha·x + beta·y; beta = 0 overwrites without reading y.
    public static void Axpby<T>(T alpha, ArrayView<T> x, T beta, ArrayView<T> y, long n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = beta == T.Zero ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }

    public static void Fill<T>(ArrayView<T> y, T value, long n) where T : unmanaged
    {
        for (long i = First, step = GridStride; i < n; i += step) y[i] = value;
    }
}
