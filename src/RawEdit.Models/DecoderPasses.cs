using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Models;

/// <summary>One transformer block of a decoder: h → h, over the rows <paramref name="rows"/> says ([B,T,C] or [n,C]).</summary>
internal delegate Tensor DecoderBlock(int layer, Tensor h, Tensor? mask, BlockRows rows, ForwardHooks? hooks);

/// <summary>
/// The ways the decoder models run their blocks, written once for GPT-2 and GPT-J (each gives its embedding and block):
/// the plain pass (optionally stopping after a block), and a pass split at a block into a frozen prefix and resumed
/// passes over the changed rows only. Shapes: h [B,T,C]; n changed rows; residual [n,C].
/// </summary>
internal static class DecoderPasses
{
    /// <summary>The residual stream after block <paramref name="lastBlock"/> [B,T,C].</summary>
    public static Tensor HiddenStates(TokenBatch batch, Tensor embedded, int layers, int lastBlock, DecoderBlock block, ForwardHooks? hooks)
    {
        DecoderInputs.CheckLayer(lastBlock, layers);
        var mask = MaskOf(batch);
        var all = BlockRows.All(batch);
        var h = embedded;
        for (int l = 0; l <= lastBlock; l++) h = block(l, h, mask, all, hooks);
        return h;
    }

    /// <summary>
    /// Blocks 0..layer on every row (hooks run there), then the blocks above on each sequence's rows before
    /// firstChanged[b] only, keeping their attention inputs. No gradient is recorded.
    /// </summary>
    public static FrozenPrefix Freeze(TokenBatch batch, Func<TokenBatch, Tensor> embed, int layers, int layer, int[] firstChanged, DecoderBlock block,
        ForwardHooks? hooks)
    {
        DecoderInputs.CheckLayer(layer, layers);
        if (firstChanged.Length != batch.Batch) throw new ArgumentException($"{firstChanged.Length} first changed positions for a batch of {batch.Batch}");
        for (int b = 0; b < batch.Batch; b++)
            if (firstChanged[b] < 0 || firstChanged[b] >= batch.Lengths[b])
                throw new ArgumentOutOfRangeException(nameof(firstChanged), $"first changed position {firstChanged[b]} outside sequence {b} of {batch.Lengths[b]} tokens");

        using var _ = Tape.NoGrad();
        var h = HiddenStates(batch, embed(batch), layers, layer, block, hooks);
        var flat = Ops.Reshape(h, -1, h.Shape[^1]);
        var mask = MaskOf(batch);
        var frozenInputs = new Dictionary<(int, string), Tensor>();
        var frozenRows = FrozenPrefix.RowsOf(batch, firstChanged, changed: false);
        if (layer < layers - 1 && frozenRows.Length > 0)
        {
            var rows = BlockRows.Recording(batch, frozenRows, frozenInputs);
            var hf = Ops.GatherRows(flat, frozenRows);
            for (int l = layer + 1; l < layers; l++) hf = block(l, hf, mask, rows, hooks: null);
        }
        var changedRows = FrozenPrefix.RowsOf(batch, firstChanged, changed: true);
        return new FrozenPrefix(batch, layer, firstChanged, changedRows, Ops.GatherRows(flat, changedRows), mask, frozenInputs);
    }

    /// <summary>Blocks prefix.Layer + 1 … last on the changed rows: residual [n,C] → the last block's output at <paramref name="outputRows"/> [m,C].</summary>
    public static Tensor Resume(FrozenPrefix prefix, int layers, Tensor residual, int[] outputRows, DecoderBlock block, ForwardHooks? hooks)
    {
        int n = prefix.ChangedRows.Length;
        if (residual.Rank != 2 || residual.Shape[0] != n || residual.Shape[1] != prefix.Residual.Shape[1])
            throw new ArgumentException($"residual {Shape.Format(residual.Shape)} is not [{n}, {prefix.Residual.Shape[1]}] (the changed rows of the frozen prefix)");
        foreach (int r in outputRows)
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(outputRows), $"output row {r} outside the {n} changed rows");
        int last = layers - 1;
        if (prefix.Layer == last) return Ops.GatherRows(residual, outputRows);
        var rows = BlockRows.Replaying(prefix.Batch, prefix.ChangedRows, prefix.FrozenAttentionInputs, last, outputRows);
        var h = residual;
        for (int l = prefix.Layer + 1; l <= last; l++) h = block(l, h, prefix.Mask, rows, hooks);
        return h;
    }

    /// <summary>
    /// Every block on the rows <paramref name="rows"/> of the batch only (flat rows b·T + t not computed before, e.g. each
    /// sequence's newest token), the earlier rows' keys and values read from <paramref name="cache"/>, which keeps these
    /// rows' too. embedded [B,T,C] → the residual stream after the last block at <paramref name="rows"/> [n,C]. No
    /// hooks, no gradient: the pass generation runs once per new token.
    /// </summary>
    public static Tensor Extend(TokenBatch batch, Tensor embedded, int layers, int[] rows, AttentionCache cache, DecoderBlock block)
    {
        cache.CheckShape(batch);
        long rowCount = (long)batch.Batch * batch.Time;
        foreach (int row in rows)
            if ((uint)row >= rowCount) throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} outside the batch's {rowCount} rows");
        using var _ = Tape.NoGrad();
        var mask = MaskOf(batch);
        var extending = BlockRows.Extending(batch, rows, cache);
        var h = Ops.GatherRows(Ops.Reshape(embedded, -1, embedded.Shape[^1]), rows);
        for (int l = 0; l < layers; l++) h = block(l, h, mask, extending, hooks: null);
        return h;
    }

    private static Tensor? MaskOf(TokenBatch batch) => batch.HasPadding ? Tensor.FromArray(batch.Mask, batch.Batch, batch.Time) : null;
}
