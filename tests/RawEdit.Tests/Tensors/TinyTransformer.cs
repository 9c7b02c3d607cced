using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// A GPT-2-shaped model small enough for finite differences over every parameter:
/// token + position embedding → 2 × [LN → qkv Linear → causal attention → proj Linear → residual,
/// LN → fc Linear → gelu_new → proj Linear → residual] → LN → logits via the tied token table → cross-entropy.
/// Layer 0 stores weights [in,out] (GPT-2 Conv1D), layer 1 [out,in] (torch Linear), so both layouts are covered.
/// </summary>
internal static class TinyTransformer
{
    public const int Batch = 2, Time = 4, Channels = 4, Heads = 2, Vocab = 6, Layers = 2, Hidden = 4 * Channels;
    private const double Eps = 1e-5;

    // ids [B,T]: sequence 1 is right-padded after two tokens (pad id 0, mask 0, target −1).
    private static readonly int[] Ids = [1, 4, 2, 5, 3, 1, 0, 0];
    private static readonly int[] Targets = [4, 2, 5, 3, 1, -1, -1, -1];
    private static readonly double[] KeyMask = [1, 1, 1, 1, 1, 1, 0, 0];

    private const int PerLayer = 12;

    /// <summary>wte [V,C], wpe [T,C], per layer 12 tensors, final LN gain and bias, then the key mask (no gradient).</summary>
    public static Tensor[] CreateInputs()
    {
        int seed = 900;
        var inputs = new List<Tensor>
        {
            Normal("wte", seed++, [Vocab, Channels], std: 0.5),
            Normal("wpe", seed++, [Time, Channels], std: 0.3),
        };
        for (int l = 0; l < Layers; l++)
        {
            bool outByIn = l == 1;
            int[] W(int i, int o) => outByIn ? [o, i] : [i, o];
            inputs.AddRange(
            [
                NearOne($"h{l}.ln1.g", seed++, Channels), Normal($"h{l}.ln1.b", seed++, [Channels], std: 0.1),
                Normal($"h{l}.attn.w", seed++, W(Channels, 3 * Channels), std: 0.5), Normal($"h{l}.attn.b", seed++, [3 * Channels], std: 0.1),
                Normal($"h{l}.proj.w", seed++, W(Channels, Channels), std: 0.5), Normal($"h{l}.proj.b", seed++, [Channels], std: 0.1),
                NearOne($"h{l}.ln2.g", seed++, Channels), Normal($"h{l}.ln2.b", seed++, [Channels], std: 0.1),
                Normal($"h{l}.fc.w", seed++, W(Channels, Hidden), std: 0.5), Normal($"h{l}.fc.b", seed++, [Hidden], std: 0.1),
                Normal($"h{l}.mlp.w", seed++, W(Hidden, Channels), std: 0.3), Normal($"h{l}.mlp.b", seed++, [Channels], std: 0.1),
            ]);
        }
        inputs.Add(NearOne("lnf.g", seed++, Channels));
        inputs.Add(Normal("lnf.b", seed, [Channels], std: 0.1));
        inputs.Add(Constant("keyMask", KeyMask, Batch, Time));
        return [.. inputs];
    }

    /// <summary>Mean next-token cross-entropy over the non-padded positions (a scalar).</summary>
    public static Tensor Loss(Tensor[] p)
    {
        var wte = p[0];
        var mask = p[^1];
        // [B,T,C] token embeddings + wpe [T,C] broadcast over the batch.
        var x = Ops.Add(Ops.Embedding(wte, Ids, Batch, Time), p[1]);
        for (int l = 0; l < Layers; l++)
        {
            var w = p.AsSpan(2 + l * PerLayer, PerLayer).ToArray();
            bool outByIn = l == 1;
            var h = Ops.LayerNorm(x, w[0], w[1], Eps);
            var qkv = Ops.Linear(h, w[2], w[3], outByIn);                      // [B,T,3C]
            var attention = Ops.CausalSelfAttention(qkv, Heads, mask);         // [B,T,C]
            x = Ops.Add(x, Ops.Linear(attention, w[4], w[5], outByIn));
            var h2 = Ops.LayerNorm(x, w[6], w[7], Eps);
            var hidden = Ops.GeluNew(Ops.Linear(h2, w[8], w[9], outByIn));    // [B,T,4C]
            x = Ops.Add(x, Ops.Linear(hidden, w[10], w[11], outByIn));
        }
        int final = 2 + Layers * PerLayer;
        var xf = Ops.LayerNorm(x, p[final], p[final + 1], Eps);
        var logits = Ops.MatMul(xf, wte, transB: true);                         // [B,T,V]
        return Ops.CrossEntropy(logits, Targets);
    }

    public static OpCase Case() => new("Tiny 2-layer transformer loss", CreateInputs, Loss);
}
