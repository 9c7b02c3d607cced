using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>
    /// Mean cross-entropy: logits [R, V], targets [R] (−1 = ignore) → scalar −(1/n)·Σ log softmax(logits)[r, target r].
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets)
    {
        int counted = targets.Count(t => t >= 0);
        if (counted == 0) throw new ArgumentException("cross-entropy over no targets");
        return Scale(Sum(CrossEntropyPerRow(logits, targets)), 1.0 / counted);
    }

    /// <summary>Per-row −log softmax(logits)[r, target r] → [R] (0 for ignored rows), fused: no log-probability tensor.</summary>
    public static Tensor CrossEntropyPerRow(Tensor logits, int[] targets)
    {
        int n = logits.Shape[^1], rows = (int)(logits.Length / n);
        if (rows != targets.Length) throw new ArgumentException($"cross-entropy: {targets.Length} targets for {rows} rows of logits");
        foreach (int t in targets)
            if (t >= n) throw new ArgumentOutOfRangeException(nameof(targets), $"target {t} outside [0, {n})");
        var loss = Tensor.Zeros(logits.DType, rows);
        var lse = Tensor.Zeros(logits.DType, rows);
        logits.Backend.SoftmaxCrossEntropy(logits.Storage, targets, loss.Storage, lse.Storage, rows, n);
        return Recorder.Record(loss, dy => logits.Backend.SoftmaxCrossEntropyBackward(logits.Storage, targets, lse.Storage, dy.Storage,
            GradientAccumulator.Buffer(logits).Storage, rows, n), logits);
    }

    /// <summary>
    /// KL(p ‖ q) per row from log-probabilities [R, V]: Σ_v exp(logP)·(logP − logQ), summed over rows
    /// (divide by R for torch's batchmean).
    /// </summary>
    public static Tensor KlDivergence(Tensor logP, Tensor logQ) => Sum(Mul(Exp(logP), Sub(logP, logQ)));
}
