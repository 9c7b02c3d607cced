namespace RawEdit.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Mean cross-entropy: logits [R, V], targets [R] (−1 = ignore) → scalar −(1/n)·Σ log softmax(logits)[r, target r].
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets)
    {
        int counted = targets.Count(t => t >= 0);
        if (counted == 0) throw new ArgumentException("cross-entropy over no targets");
        var picked = PickColumns(Reshape(LogSoftmax(logits), -1, logits.Shape[^1]), targets);
        return Scale(Sum(picked), -1.0 / counted);
    }

    /// <summary>
    /// KL(p ‖ q) per row from log-probabilities [R, V]: Σ_v exp(logP)·(logP − logQ), summed over rows
    /// (divide by R for torch's batchmean).
    /// </summary>
    public static Tensor KlDivergence(Tensor logP, Tensor logQ) => Sum(Mul(Exp(logP), Sub(logP, logQ)));
}
