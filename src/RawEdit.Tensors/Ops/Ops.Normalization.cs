using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>Layer norm over the last axis: x [..., N], gamma/beta [N] → y [..., N].</summary>
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, double eps)
    {
        int n = x.Shape[^1], rows = (int)(x.Length / n);
        if (gamma.Length != n || beta.Length != n)
            throw new ArgumentException($"LayerNorm of {Shape.Format(x.Shape)} with gamma {Shape.Format(gamma.Shape)}, beta {Shape.Format(beta.Shape)}");
        var y = Like(x);
        var mean = Tensor.Zeros(x.DType, rows);
        var rstd = Tensor.Zeros(x.DType, rows);
        x.Backend.LayerNorm(x.Storage, gamma.Storage, beta.Storage, y.Storage, mean.Storage, rstd.Storage, rows, n, eps);
        return Recorder.Record(y, dy => x.Backend.LayerNormBackward(x.Storage, gamma.Storage, mean.Storage, rstd.Storage, dy.Storage,
            x.RequiresGrad ? GradientAccumulator.Buffer(x).Storage : null,
            gamma.RequiresGrad ? GradientAccumulator.Buffer(gamma).Storage : null,
            beta.RequiresGrad ? GradientAccumulator.Buffer(beta).Storage : null, rows, n), x, gamma, beta);
    }

    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x) => SoftmaxCore(x, log: false);

    /// <summary>Log-softmax over the last axis (x − logsumexp(x)).</summary>
    public static Tensor LogSoftmax(Tensor x) => SoftmaxCore(x, log: true);

    private static Tensor SoftmaxCore(Tensor x, bool log)
    {
        int n = x.Shape[^1], rows = (int)(x.Length / n);
        var y = Like(x);
        x.Backend.Softmax(x.Storage, y.Storage, rows, n, log);
        return Recorder.Record(y, dy =>
            x.Backend.SoftmaxBackward(y.Storage, dy.Storage, GradientAccumulator.Buffer(x).Storage, rows, n, log), x);
    }
}
