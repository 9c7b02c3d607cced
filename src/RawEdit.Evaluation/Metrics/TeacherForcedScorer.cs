using RawEdit.Models;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Evaluation.Metrics;

/// <summary>
/// Scores many (prompt, target) pairs with few forward passes. Each pair is run as one sequence
/// prompt ++ target; the prediction of target[i] is read at position |prompt| − 1 + i. Sequences are
/// sorted by length and packed into right-padded batches of at most <see cref="MaxTokensPerBatch"/>
/// padded tokens. Only the hidden states at predicting positions are unembedded: the same logits as
/// Forward's at those rows (ln_f and the head act row by row) without the [B,T,V] tensor, through the model's
/// <see cref="VocabularyHead"/> (log softmax in float64 and the argmax over the full vocabulary).
/// </summary>
internal sealed class TeacherForcedScorer
{
    private readonly ICausalLanguageModel model;

    public TeacherForcedScorer(ICausalLanguageModel model, int maxTokensPerBatch = DefaultMaxTokensPerBatch)
    {
        if (maxTokensPerBatch < 1) throw new ArgumentException($"maxTokensPerBatch must be positive, got {maxTokensPerBatch}");
        this.model = model;
        MaxTokensPerBatch = maxTokensPerBatch;
    }

    /// <summary>Bounds the activations of one forward pass (1,024 × 6,400 floats, 26 MB, per GPT-2 XL MLP).</summary>
    public const int DefaultMaxTokensPerBatch = 1024;

    public int MaxTokensPerBatch { get; }

    /// <summary>One score per request, in request order.</summary>
    public IReadOnlyList<TargetScore> Score(IReadOnlyList<ScoringRequest> requests)
    {
        for (int r = 0; r < requests.Count; r++) Validate(requests[r], r);
        var scores = new TargetScore[requests.Count];
        // Longest first, ties by request index, so batches are tight and the packing is deterministic.
        var order = Enumerable.Range(0, requests.Count).OrderByDescending(r => Length(requests[r])).ThenBy(r => r).ToArray();
        using var _ = Tape.NoGrad();
        for (int start = 0; start < order.Length;)
        {
            int longest = Length(requests[order[start]]), count = 1;
            while (start + count < order.Length && (count + 1) * longest <= MaxTokensPerBatch) count++;
            ScoreBatch(requests, order.AsSpan(start, count), scores);
            start += count;
        }
        return scores;
    }

    public TargetScore Score(ScoringRequest request) => Score([request])[0];

    // hidden [B,T,C] → rows predicting target tokens [R,C], R = Σ |target| → logits [R,V].
    private void ScoreBatch(IReadOnlyList<ScoringRequest> requests, ReadOnlySpan<int> members, TargetScore[] scores)
    {
        var sequences = new int[members.Length][];
        for (int b = 0; b < members.Length; b++)
        {
            var request = requests[members[b]];
            sequences[b] = [.. request.Prompt, .. request.Target];
        }
        var batch = new TokenBatch(sequences, model.EosTokenId);
        var predictionRows = new List<int>();
        for (int b = 0; b < members.Length; b++)
        {
            var request = requests[members[b]];
            for (int i = 0; i < request.Target.Length; i++)
                predictionRows.Add(batch.Row(b, request.Prompt.Length - 1 + i));
        }
        var hidden = model.HiddenStates(batch);
        var predicting = Ops.GatherRows(Ops.Reshape(hidden, -1, hidden.Shape[^1]), predictionRows.ToArray());
        var head = VocabularyHead.Of(model);
        int width = head.Width;
        float[] rows = head.Logits(model, predicting).ToFloatArray();

        int row = 0;
        for (int b = 0; b < members.Length; b++)
        {
            var target = requests[members[b]].Target;
            var logProbabilities = new double[target.Length];
            var isArgmax = new bool[target.Length];
            for (int i = 0; i < target.Length; i++, row++)
            {
                var logits = rows.AsSpan(row * width, width);
                (logProbabilities[i], isArgmax[i]) = (head.LogProbability(logits, target[i]), head.ArgMax(logits) == target[i]);
            }
            scores[members[b]] = new TargetScore(logProbabilities, isArgmax);
        }
    }

    private void Validate(ScoringRequest request, int index)
    {
        if (request.Prompt.Length == 0) throw new ArgumentException($"scoring request {index} has an empty prompt");
        if (request.Target.Length == 0) throw new ArgumentException($"scoring request {index} has an empty target");
        if (Length(request) > model.MaxPositions)
            throw new ArgumentException($"scoring request {index} has {Length(request)} tokens; the model takes at most {model.MaxPositions}");
        foreach (int id in request.Prompt.Concat(request.Target))
            if ((uint)id >= (uint)model.VocabSize) throw new ArgumentException($"scoring request {index} has token id {id} outside the vocabulary of {model.VocabSize}");
    }

    private static int Length(ScoringRequest request) => request.Prompt.Length + request.Target.Length;
}
