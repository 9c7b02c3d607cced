using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>
    /// Causal multi-head self-attention over packed projections: qkv [B,T,3C] → [B,T,C].
    /// keyMask [B,T] (1 = real token, 0 = padding) or null; masked keys get zero weight, like HF's additive mask.
    /// </summary>
    public static Tensor CausalSelfAttention(Tensor qkv, int heads, Tensor? keyMask = null)
    {
        if (qkv.Rank != 3 || qkv.Shape[2] % 3 != 0 || qkv.Shape[2] / 3 % heads != 0)
            throw new ArgumentException($"attention input {Shape.Format(qkv.Shape)} is not [B,T,3C] with C divisible by {heads} heads");
        int b = qkv.Shape[0], t = qkv.Shape[1], c = qkv.Shape[2] / 3;
        if (keyMask is not null && (keyMask.Rank != 2 || keyMask.Shape[0] != b || keyMask.Shape[1] != t))
            throw new ArgumentException($"attention mask {Shape.Format(keyMask.Shape)} is not [{b},{t}]");
        var y = Tensor.Zeros(qkv.DType, b, t, c);
        var probs = Tensor.Zeros(qkv.DType, b, heads, t, t);
        qkv.Backend.Attention(qkv.Storage, keyMask?.Storage, y.Storage, probs.Storage, b, t, c, heads);
        return Recorder.Record(y, dy =>
            qkv.Backend.AttentionBackward(qkv.Storage, probs.Storage, dy.Storage, GradientAccumulator.Buffer(qkv).Storage, b, t, c, heads), qkv);
    }
}
