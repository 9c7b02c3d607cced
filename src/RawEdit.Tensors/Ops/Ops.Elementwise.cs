using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors;

/// <summary>Differentiable tensor operations. Each file holds one family, forward and backward together.</summary>
internal static partial class Ops
{
    // Shapes: x, y [*]; binary ops broadcast a [*a] with b [*b] to y [broadcast(*a, *b)].

    internal static Tensor Like(Tensor x) => Tensor.Zeros(x.DType, x.Shape);

    private static Tensor Unary(UnaryOp op, Tensor x)
    {
        var y = Like(x);
        x.Backend.Unary(op, x.Storage, y.Storage);
        return Recorder.Record(y, dy =>
            x.Backend.UnaryBackward(op, x.Storage, y.Storage, dy.Storage, GradientAccumulator.Buffer(x).Storage), x);
    }

    public static Tensor Neg(Tensor x) => Unary(UnaryOp.Neg, x);
    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x);
    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x);
    public static Tensor Sqrt(Tensor x) => Unary(UnaryOp.Sqrt, x);
    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x);
    public static Tensor Square(Tensor x) => Unary(UnaryOp.Square, x);
    public static Tensor Abs(Tensor x) => Unary(UnaryOp.Abs, x);
    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x);
    public static Tensor Reciprocal(Tensor x) => Unary(UnaryOp.Reciprocal, x);

    /// <summary>GPT-2's gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static Tensor GeluNew(Tensor x) => Unary(UnaryOp.GeluNew, x);

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        var shape = Shape.Broadcast(a.Shape, b.Shape);
        var y = Tensor.Zeros(a.DType, shape);
        a.Backend.Binary(op, a.Storage, a.Shape, b.Storage, b.Shape, y.Storage, shape);
        return Recorder.Record(y, dy =>
        {
            if (a.RequiresGrad) AccumulateReduced(a, BinaryGradA(op, dy, a, b));
            if (b.RequiresGrad) AccumulateReduced(b, BinaryGradB(op, dy, a, b, y));
        }, a, b);
    }

    // ∂y/∂a: add, sub → dy;  mul → dy·b;  div → dy/b
    private static Tensor BinaryGradA(BinaryOp op, Tensor dy, Tensor a, Tensor b) => op switch
    {
        BinaryOp.Add or BinaryOp.Sub => dy,
        BinaryOp.Mul => Binary(BinaryOp.Mul, dy, b),
        BinaryOp.Div => Binary(BinaryOp.Div, dy, b),
        _ => throw new NotSupportedException(op.ToString()),
    };

    // ∂y/∂b: add → dy;  sub → −dy;  mul → dy·a;  div → −dy·y/b
    private static Tensor BinaryGradB(BinaryOp op, Tensor dy, Tensor a, Tensor b, Tensor y) => op switch
    {
        BinaryOp.Add => dy,
        BinaryOp.Sub => Neg(dy),
        BinaryOp.Mul => Binary(BinaryOp.Mul, dy, a),
        BinaryOp.Div => Neg(Binary(BinaryOp.Div, Binary(BinaryOp.Mul, dy, y), b)),
        _ => throw new NotSupportedException(op.ToString()),
    };

    /// <summary>grad(x) += g summed over the axes along which x was broadcast.</summary>
    private static void AccumulateReduced(Tensor x, Tensor g)
    {
        if (Shape.SameAs(x.Shape, g.Shape)) { GradientAccumulator.Add(x, g); return; }
        x.Backend.ReduceToShape(g.Storage, g.Shape, GradientAccumulator.Buffer(x).Storage, x.Shape);
    }

    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b);
    public static Tensor Sub(Tensor a, Tensor b) => Binary(BinaryOp.Sub, a, b);
    public static Tensor Mul(Tensor a, Tensor b) => Binary(BinaryOp.Mul, a, b);
    public static Tensor Div(Tensor a, Tensor b) => Binary(BinaryOp.Div, a, b);

    /// <summary>y = s·x for a constant s.</summary>
    public static Tensor Scale(Tensor x, double s)
    {
        var y = Like(x);
        x.Backend.Axpby(s, x.Storage, 0, y.Storage);
        return Recorder.Record(y, dy => x.Backend.Axpby(s, dy.Storage, 1, GradientAccumulator.Buffer(x).Storage), x);
    }

    /// <summary>y = x + s for a constant s.</summary>
    public static Tensor AddScalar(Tensor x, double s) => Add(x, Tensor.Scalar(s, x.DType));
}
