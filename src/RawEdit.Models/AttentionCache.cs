using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Models;

/// <summary>
/// The attention inputs (keys and values, with GPT-2's queries riding along in qkv) of the rows a batch has computed
/// so far, per block: what lets generation run each new token through the blocks alone instead of the whole sequence
/// again (<see cref="ICausalLanguageModel.Extend"/>). Tied to one batch shape [B,T] with T the final width, so the flat
/// row b·T + t of a position never moves. Shapes: per (layer, name) [B,T,W], W = 3C for GPT-2's qkv, C for GPT-J's
/// q, k, v; rows not computed yet are zero.
/// </summary>
internal sealed class AttentionCache(int batch, int time)
{
    private readonly Dictionary<(int Layer, string Name), Tensor> inputs = [];

    public int Batch { get; } = batch;
    public int Time { get; } = time;

    /// <summary>Floats a cache holds for <paramref name="sequences"/> sequences of <paramref name="time"/> positions: L blocks × 3C per row.</summary>
    public static long Floats(ICausalLanguageModel model, int sequences, int time) => (long)sequences * time * model.Layers * 3 * model.Embedding;

    /// <summary>computed [n,W] at the flat rows <paramref name="rows"/> → every computed row's input [B,T,W], kept for the next call.</summary>
    public Tensor Extend(int layer, string name, int[] rows, Tensor computed)
    {
        int width = computed.Shape[^1];
        using var _ = Tape.NoGrad();
        var before = inputs.TryGetValue((layer, name), out var kept) ? kept : Tensor.Zeros(computed.DType, Batch, Time, width);
        // The rows are new (zero in the cache): adding them places them.
        return inputs[(layer, name)] = Ops.AddRows(before, rows, computed);
    }

    public void CheckShape(TokenBatch batch)
    {
        if (batch.Batch != Batch || batch.Time != Time)
            throw new ArgumentException($"an attention cache of [{Batch}, {Time}] cannot extend a batch of [{batch.Batch}, {batch.Time}]");
    }
}
