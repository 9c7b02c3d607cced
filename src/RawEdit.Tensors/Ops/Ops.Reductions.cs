using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>Sum of all elements → scalar (shape []).</summary>
    public static Tensor Sum(Tensor x)
    {
        var y = Tensor.Zeros(x.DType);
        x.Backend.SumAxis(x.Storage, y.Storage, 1, (int)x.Length, 1, accumulate: false);
        return Recorder.Record(y, dy =>
            x.Backend.BroadcastAxisAdd(dy.Storage, GradientAccumulator.Buffer(x).Storage, 1, (int)x.Length, 1), x);
    }

    /// <summary>Sum over one axis (kept as size 1 when <paramref name="keepDim"/>).</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false)
    {
        axis = Shape.NormalizeAxis(axis, x.Rank);
        var (outer, len, inner) = Shape.AroundAxis(x.Shape, axis);
        var shape = x.Shape.ToList();
        if (keepDim) shape[axis] = 1; else shape.RemoveAt(axis);
        var y = Tensor.Zeros(x.DType, [.. shape]);
        x.Backend.SumAxis(x.Storage, y.Storage, outer, len, inner, accumulate: false);
        return Recorder.Record(y, dy =>
            x.Backend.BroadcastAxisAdd(dy.Storage, GradientAccumulator.Buffer(x).Storage, outer, len, inner), x);
    }

    public static Tensor Mean(Tensor x) => Scale(Sum(x), 1.0 / x.Length);

    public static Tensor Mean(Tensor x, int axis, bool keepDim = false) =>
        Scale(Sum(x, axis, keepDim), 1.0 / x.Shape[Shape.NormalizeAxis(axis, x.Rank)]);

    /// <summary>
    /// Euclidean (Frobenius) norm of all elements. Backward: d‖x‖/dx = x/‖x‖, and 0 at x = 0 (the
    /// subgradient torch uses), where sqrt∘square would give 0·∞ = NaN.
    /// </summary>
    public static Tensor Norm(Tensor x)
    {
        double norm = Math.Sqrt(x.Backend.SumOfSquares(x.Storage));
        var y = Tensor.Full(norm, x.DType);
        return Recorder.Record(y, dy =>
        {
            if (norm > 0) x.Backend.Axpby(dy.Item() / norm, x.Storage, 1, GradientAccumulator.Buffer(x).Storage);
        }, x);
    }
}
