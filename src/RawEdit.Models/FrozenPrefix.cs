using RawEdit.Tensors;

namespace RawEdit.Models;

/// <summary>
/// A batch run once, with no gradient, for passes that change the residual stream after block <see cref="Layer"/> only at
/// and after position <see cref="FirstChanged"/>[b] of each sequence b (ROME adds δ there at the subject's last token).
/// Causal attention keeps every earlier row as it was, in every block, so later passes
/// (<see cref="ICausalLanguageModel.Resume"/>) compute only the changed rows of the blocks above <see cref="Layer"/> and
/// read the frozen rows' attention keys and values from here. Shapes: n = Σ_b (length_b − FirstChanged[b]) changed rows.
/// </summary>
internal sealed class FrozenPrefix
{
    private readonly int[] changedOffsets;   // [B]: index of (b, FirstChanged[b]) in ChangedRows

    internal FrozenPrefix(TokenBatch batch, int layer, int[] firstChanged, int[] changedRows, Tensor residual, Tensor? mask,
        IReadOnlyDictionary<(int Layer, string Name), Tensor> frozenAttentionInputs)
    {
        Batch = batch;
        Layer = layer;
        FirstChanged = firstChanged;
        ChangedRows = changedRows;
        changedOffsets = new int[batch.Batch];
        for (int b = 1; b < batch.Batch; b++) changedOffsets[b] = changedOffsets[b - 1] + batch.Lengths[b - 1] - firstChanged[b - 1];
        Residual = residual;
        Mask = mask;
        FrozenAttentionInputs = frozenAttentionInputs;
    }

    public TokenBatch Batch { get; }

    /// <summary>The last block whose output is frozen in full; the passes resume at block Layer + 1.</summary>
    public int Layer { get; }

    /// <summary>[B]: the first position of each sequence whose residual after block <see cref="Layer"/> may change.</summary>
    public int[] FirstChanged { get; }

    /// <summary>[n]: the changed rows as flat rows b·T + t, sequence by sequence, each in position order.</summary>
    public int[] ChangedRows { get; }

    /// <summary>[n, C]: the residual stream after block <see cref="Layer"/> at the changed rows, as the frozen run left it.</summary>
    public Tensor Residual { get; }

    /// <summary>Index into <see cref="ChangedRows"/> of position <paramref name="t"/> of sequence <paramref name="b"/>.</summary>
    public int ChangedIndex(int b, int t)
    {
        if ((uint)b >= (uint)Batch.Batch || t < FirstChanged[b] || t >= Batch.Lengths[b])
            throw new ArgumentOutOfRangeException(nameof(t), $"position {t} of sequence {b} is not a changed row (from {FirstChanged[b]} to the end)");
        return changedOffsets[b] + t - FirstChanged[b];
    }

    internal Tensor? Mask { get; }

    /// <summary>Per (block above <see cref="Layer"/>, name): the attention input [B,T,W] of the frozen rows, zero elsewhere.</summary>
    internal IReadOnlyDictionary<(int Layer, string Name), Tensor> FrozenAttentionInputs { get; }

    /// <summary>Flat rows b·T + t of each sequence's changed part (firstChanged[b] ≤ t &lt; length) or frozen part (t &lt; firstChanged[b]).</summary>
    internal static int[] RowsOf(TokenBatch batch, int[] firstChanged, bool changed)
    {
        var rows = new List<int>();
        for (int b = 0; b < batch.Batch; b++)
        {
            int from = changed ? firstChanged[b] : 0, to = changed ? batch.Lengths[b] : firstChanged[b];
            for (int t = from; t < to; t++) rows.Add(batch.Row(b, t));
        }
        return [.. rows];
    }
}
