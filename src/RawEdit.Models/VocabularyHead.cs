using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Models;

/// <summary>
/// The output head as the consumers of logits use it: log-probabilities, the argmax and top-k over the full vocabulary,
/// computed from W logit columns. For most checkpoints W = V (the plain head). For a model trained on a vocabulary
/// subset (RawEdit's shipped models: 1,593 / 1,889 of GPT-2's 50,257 tokens), the U unused tokens have all-zero head
/// rows (and bias), so each of their logits is exactly 0; the head then computes the used rows only plus one column of
/// value log U, whose logsumexp equals the full vocabulary's:
///   log Z = log(Σ_used e^{z_j} + U·e⁰) = logsumexp([z_used, log U])
/// so log p(token) = z_token − log Z (z = 0 for an unused token), KL divergences over the W columns equal the full ones
/// (the U equal tokens merge into one column of mass U·p₀), and argmax / top-k see the unused tokens as logits 0 at
/// their ids. Same results as the full head up to rounding, at (used + 1)/V of its cost.
/// Shapes: hidden [N,C] → logits [N,W]; columns ordered used ids ascending, then log U.
/// </summary>
internal sealed class VocabularyHead
{
    /// <summary>Use the compact head when at least this share of the rows is zero.</summary>
    private const double MinimumUnusedShare = 0.25;

    private static readonly ConditionalWeakTable<Tensor, VocabularyHead> ByHeadWeight = new();

    private readonly int[]? usedIds;                 // ascending; null for the plain head
    private readonly int[] columnOf;                 // [V]: column of a used token, −1 for an unused one
    private readonly int[] unusedIds;                // the unused ids, ascending
    private readonly Tensor? bias;                   // the bias the rows were judged with (GPT-J), to notice a replaced one
    private VocabularyHead? plain;                   // the plain head of the same vocabulary (Covering's fallback)
    private readonly ConcurrentDictionary<int, (int[] Ids, int[] Columns)> candidates = new();

    private VocabularyHead(int vocabSize, int[]? usedIds, int[] unusedIds, Tensor? bias)
    {
        VocabSize = vocabSize;
        this.usedIds = usedIds;
        this.unusedIds = unusedIds;
        this.bias = bias;
        columnOf = new int[vocabSize];
        if (usedIds is null) for (int v = 0; v < vocabSize; v++) columnOf[v] = v;
        else
        {
            Array.Fill(columnOf, -1);
            for (int c = 0; c < usedIds.Length; c++) columnOf[usedIds[c]] = c;
        }
    }

    public int VocabSize { get; }

    /// <summary>True when the head computes the used rows only (plus the log U column).</summary>
    public bool IsCompact => usedIds is not null;

    /// <summary>Logit columns W: V, or used + 1.</summary>
    public int Width => usedIds is null ? VocabSize : usedIds.Length + 1;

    public int UnusedCount => usedIds is null ? 0 : VocabSize - usedIds.Length;

    /// <summary>
    /// The model's head, compact when at least a quarter of its rows are zero. Which rows are zero is found once per head
    /// weight tensor (edits change MLP weights only); the used rows themselves are read from the weight at every call.
    /// </summary>
    public static VocabularyHead Of(ICausalLanguageModel model)
    {
        var (weight, bias) = model.Head;
        var head = ByHeadWeight.GetValue(weight, _ => Build(weight, bias));
        return ReferenceEquals(head.bias, bias) ? head : Build(weight, bias);   // the same weight with another bias: judge again
    }

    /// <summary>
    /// The compact head when every token of <paramref name="ids"/> has a column of its own (a loss picks their
    /// log-probabilities from the columns), else the plain head.
    /// </summary>
    public static VocabularyHead Covering(ICausalLanguageModel model, IEnumerable<int> ids)
    {
        var head = Of(model);
        return !head.IsCompact || ids.All(id => head.HasColumn(id)) ? head : head.plain ??= Plain(model.VocabSize, head.bias);
    }

    private static VocabularyHead Plain(int vocabSize, Tensor? bias) => new(vocabSize, null, [], bias);

    private static VocabularyHead Build(Tensor weight, Tensor? bias)
    {
        int vocab = weight.Shape[0], width = weight.Shape[1];
        var used = new List<int>();
        var unused = new List<int>();
        float[]? biasValues = bias?.ToFloatArray();
        using var _ = Tape.NoGrad();    // reading the weight, whatever tape the first caller has open
        const int BlockRows = 4096;
        for (int start = 0; start < vocab; start += BlockRows)
        {
            int rows = Math.Min(BlockRows, vocab - start);
            var block = Ops.GatherRows(weight, [.. Enumerable.Range(start, rows)]).ToFloatArray();   // a row gather reads f16 storage too
            for (int r = 0; r < rows; r++)
            {
                bool zero = block.AsSpan(r * width, width).IndexOfAnyExcept(0f) < 0 && (biasValues is null || biasValues[start + r] == 0f);
                (zero ? unused : used).Add(start + r);
            }
        }
        if (unused.Count < MinimumUnusedShare * vocab || used.Count == 0) return Plain(vocab, bias);
        return new VocabularyHead(vocab, [.. used], [.. unused], bias);
    }

    public bool HasColumn(int tokenId) => (uint)tokenId < (uint)VocabSize && columnOf[tokenId] >= 0;

    /// <summary>The logit column of a token that has one (<see cref="HasColumn"/>).</summary>
    public int Column(int tokenId) => HasColumn(tokenId) ? columnOf[tokenId]
        : throw new ArgumentException($"token {tokenId} has no column of its own in this head (an unused token of a vocabulary-subset model)");

    /// <summary>Final layer norm and the head: hidden [N,C] → logits [N,W].</summary>
    public Tensor Logits(ICausalLanguageModel model, Tensor hidden)
    {
        if (usedIds is null) return model.Unembed(hidden);
        if (hidden.Rank != 2) throw new ArgumentException($"the compact head takes rows [N,C], got {Shape.Format(hidden.Shape)}");
        var (weight, bias) = model.Head;
        var logits = Ops.MatMul(model.FinalNorm(hidden), Ops.GatherRows(weight, usedIds), transB: true);      // [N,U]
        if (bias is not null) logits = Ops.Add(logits, Ops.Reshape(Ops.GatherRows(Ops.Reshape(bias, -1, 1), usedIds), -1));
        var unusedMass = Tensor.Full(Math.Log(UnusedCount), logits.DType, hidden.Shape[0], 1);       // [N,1]
        return Ops.Concat(1, logits, unusedMass);
    }

    /// <summary>log p(token) = z_token − log Z over the full vocabulary, in float64, from one row of <see cref="Logits"/> [W].</summary>
    public double LogProbability(ReadOnlySpan<float> row, int tokenId)
    {
        CheckRow(row);
        if ((uint)tokenId >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(tokenId), $"token {tokenId} outside the vocabulary of {VocabSize}");
        int logitCount = usedIds is null ? VocabSize : usedIds.Length;
        double max = UnusedCount > 0 ? 0 : double.NegativeInfinity;
        for (int j = 0; j < logitCount; j++) max = Math.Max(max, row[j]);
        double sum = UnusedCount > 0 ? UnusedCount * Math.Exp(-max) : 0;
        for (int j = 0; j < logitCount; j++) sum += Math.Exp(row[j] - max);
        double z = columnOf[tokenId] >= 0 ? row[columnOf[tokenId]] : 0;
        return z - max - Math.Log(sum);
    }

    /// <summary>The full vocabulary's argmax (lowest id among equal logits) from one row [W].</summary>
    public int ArgMax(ReadOnlySpan<float> row)
    {
        if (usedIds is null) { CheckRow(row); return ArgMaxOf(row); }
        var (ids, values) = Candidates(row, 1);
        return ids[ArgMaxOf(values)];
    }

    /// <summary>
    /// Samples from softmax over the full vocabulary's k largest logits (ties broken by lower id), from one row [W]:
    /// the same draw as on the full row of V logits, as the candidates keep the ids' order and every unused token that
    /// could be among the k.
    /// </summary>
    public int SampleTopK(ReadOnlySpan<float> row, int k, Random rng)
    {
        if (usedIds is null) { CheckRow(row); return SampleTopKOf(row, k, rng); }
        var (ids, values) = Candidates(row, k);
        return ids[SampleTopKOf(values, k, rng)];
    }

    // The used tokens and the first k unused ones (logit 0), in ascending id order.
    private (int[] Ids, float[] Values) Candidates(ReadOnlySpan<float> row, int k)
    {
        CheckRow(row);
        var (ids, columns) = candidates.GetOrAdd(Math.Min(k, unusedIds.Length), count =>
        {
            var merged = usedIds!.Concat(unusedIds.Take(count)).Order().ToArray();
            return (merged, merged.Select(id => columnOf[id]).ToArray());
        });
        var values = new float[ids.Length];
        for (int i = 0; i < ids.Length; i++) values[i] = columns[i] >= 0 ? row[columns[i]] : 0f;
        return (ids, values);
    }

    private void CheckRow(ReadOnlySpan<float> row)
    {
        if (row.Length != Width) throw new ArgumentException($"a logit row of this head has {Width} columns, got {row.Length}");
    }

    /// <summary>Index of the largest value (the first among equals).</summary>
    public static int ArgMaxOf(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++)
            if (values[j] > values[best]) best = j;
        return best;
    }

    /// <summary>Samples an index from softmax over the k largest values (ties broken by lower index).</summary>
    public static int SampleTopKOf(ReadOnlySpan<float> values, int k, Random rng)
    {
        k = Math.Min(k, values.Length);
        var top = new (float Value, int Index)[k];
        int filled = 0;
        for (int j = 0; j < values.Length; j++)
        {
            float v = values[j];
            if (filled == k && v <= top[k - 1].Value) continue;
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && top[pos - 1].Value < v) { top[pos] = top[pos - 1]; pos--; }
            top[pos] = (v, j);
        }
        double max = top[0].Value, total = 0;
        var weights = new double[k];
        for (int i = 0; i < k; i++) total += weights[i] = Math.Exp(top[i].Value - max);
        double u = rng.NextDouble() * total;
        for (int i = 0; i < k; i++)
        {
            u -= weights[i];
            if (u < 0) return top[i].Index;
        }
        return top[k - 1].Index;
    }
}
