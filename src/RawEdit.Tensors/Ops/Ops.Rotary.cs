using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>
    /// Rotary position embedding (RoPE, Su et al. 2021, eq. 34) in GPT-J's rotate-every-two layout:
    /// x [B,T,C] holds <paramref name="heads"/> heads of D = C/H channels; in every head the first
    /// <paramref name="rotaryDim"/> channels form pairs (2i, 2i+1) rotated by θ = t·10000^(−2i/rotaryDim) at position t:
    ///   y[2i] = x[2i]·cos θ − x[2i+1]·sin θ,   y[2i+1] = x[2i+1]·cos θ + x[2i]·sin θ;
    /// channels rotaryDim..D−1 pass through. Positions are 0..T−1 in every row.
    /// Backward: the rotation is orthogonal, so dx = Rᵀ·dy = the rotation by −θ.
    /// </summary>
    public static Tensor RotaryEmbedding(Tensor x, int heads, int rotaryDim)
    {
        if (x.Rank != 3 || heads <= 0 || x.Shape[2] % heads != 0)
            throw new ArgumentException($"rotary input {Shape.Format(x.Shape)} is not [B,T,C] with C divisible by {heads} heads");
        int b = x.Shape[0], t = x.Shape[1], headDim = x.Shape[2] / heads;
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim)
            throw new ArgumentException($"rotary_dim {rotaryDim} must be even and in (0, head_dim = {headDim}]");
        var y = Like(x);
        x.Backend.Rotary(x.Storage, y.Storage, b, t, heads, headDim, rotaryDim, inverse: false, accumulate: false);
        return Recorder.Record(y, dy =>
            x.Backend.Rotary(dy.Storage, GradientAccumulator.Buffer(x).Storage, b, t, heads, headDim, rotaryDim, inverse: true, accumulate: true), x);
    }
}
