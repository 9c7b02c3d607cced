using RawEdit.Tensors;

namespace RawEdit.Models.Training;

/// <summary>
/// Exact full-vocabulary cross-entropy for a tied-head GPT-2 whose unused embedding rows are zero.
/// A zero row w_u gives logit h·w_u = 0 for every h, so the U unused tokens add U·e⁰ to the softmax
/// denominator: log Z = logsumexp([h·W_usedᵀ, log U]). Training on the used rows plus one constant
/// column of value log U is therefore the full 50,257-way objective at a fraction of the cost, and the
/// unused rows, never an input and never given a gradient, stay exactly zero.
/// </summary>
internal sealed class VocabularySubset
{
    private readonly Dictionary<int, int> indexOf;

    public VocabularySubset(IEnumerable<int> usedIds, int vocabSize)
    {
        UsedIds = usedIds.Distinct().Order().ToArray();
        if (UsedIds.Length == 0 || UsedIds[0] < 0 || UsedIds[^1] >= vocabSize)
            throw new ArgumentException($"used token ids must lie in [0, {vocabSize})");
        indexOf = UsedIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        VocabSize = vocabSize;
    }

    public int[] UsedIds { get; }
    public int VocabSize { get; }
    public int UnusedCount => VocabSize - UsedIds.Length;

    /// <summary>Position of a token among the used ids; −1 stays −1 (ignored target).</summary>
    public int IndexOf(int tokenId) => tokenId < 0 ? -1 : indexOf.TryGetValue(tokenId, out int i) ? i
        : throw new ArgumentException($"token {tokenId} is not in the training vocabulary");

    /// <summary>Zeroes the embedding rows of unused tokens (done once, before training).</summary>
    public void ZeroUnusedRows(Tensor embedding)
    {
        int width = embedding.Shape[1];
        var values = embedding.ToFloatArray();
        var used = new bool[VocabSize];
        foreach (int id in UsedIds) used[id] = true;
        for (int id = 0; id < VocabSize; id++)
            if (!used[id]) Array.Clear(values, id * width, width);
        embedding.CopyFrom(Tensor.FromArray(values, embedding.Shape));
    }

    /// <summary>features [N,C], tied table [V,C] → logits [N, U(+1)] whose last column is the unused mass log U.</summary>
    public Tensor Logits(Tensor features, Tensor embedding)
    {
        var logits = Ops.MatMul(features, Ops.GatherRows(embedding, UsedIds), transB: true);
        if (UnusedCount == 0) return logits;
        var unusedMass = Tensor.Full(Math.Log(UnusedCount), features.DType, logits.Shape[0], 1);
        return Ops.Concat(1, logits, unusedMass);
    }
}
