using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Models.Generation;

/// <summary>Sampling settings: TopK = 1 is greedy decoding; the seed makes top-k sampling repeatable.</summary>
internal sealed record GenerationOptions(int MaxNewTokens = 20, int TopK = 1, int Seed = 0, bool StopAtEndOfText = true);

/// <summary>Autoregressive decoding over a batch of prompts (each continued independently).</summary>
internal static class TextGenerator
{
    /// <summary>Returns each prompt's new token ids (without the prompt).</summary>
    public static List<int[]> Generate(ICausalLanguageModel model, IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        if (options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), $"top-k must be at least 1, got {options.TopK}");
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), "max new tokens must not be negative");
        var rng = new Random(options.Seed);
        var sequences = prompts.Select(p => p.ToList()).ToList();
        var done = new bool[prompts.Count];
        using var _ = Tape.NoGrad();
        for (int step = 0; step < options.MaxNewTokens && done.Contains(false); step++)
        {
            // Prompts that reached the context limit stop; the rest continue.
            for (int i = 0; i < sequences.Count; i++)
                if (sequences[i].Count >= model.MaxPositions) done[i] = true;
            var active = Enumerable.Range(0, sequences.Count).Where(i => !done[i]).ToList();
            if (active.Count == 0) break;
            var batch = new TokenBatch(active.Select(i => sequences[i].ToArray()).ToList(), model.EosTokenId);
            // Only each sequence's last position is unembedded: hidden [B,T,C] → last rows [A,C] → logits [A,V].
            var lastRows = active.Select((_, a) => batch.Row(a, batch.Lengths[a] - 1)).ToArray();
            var hidden = model.HiddenStates(batch);
            var logits = model.Unembed(Ops.GatherRows(Ops.Reshape(hidden, -1, model.Embedding), lastRows)).ToFloatArray();
            int vocab = model.VocabSize;
            for (int a = 0; a < active.Count; a++)
            {
                int i = active[a];
                var row = logits.AsSpan(a * vocab, vocab);
                int next = options.TopK == 1 ? ArgMax(row) : SampleTopK(row, options.TopK, rng);
                sequences[i].Add(next);
                if (options.StopAtEndOfText && next == model.EosTokenId) done[i] = true;
            }
        }
        return sequences.Select((s, i) => s.Skip(prompts[i].Length).ToArray()).ToList();
    }

    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
            if (row[j] > row[best]) best = j;
        return best;
    }

    /// <summary>Samples from softmax over the k largest logits (ties broken by lower id).</summary>
    public static int SampleTopK(ReadOnlySpan<float> row, int k, Random rng)
    {
        k = Math.Min(k, row.Length);
        var top = new (float Logit, int Id)[k];
        int filled = 0;
        for (int j = 0; j < row.Length; j++)
        {
            float v = row[j];
            if (filled == k && v <= top[k - 1].Logit) continue;
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && top[pos - 1].Logit < v) { top[pos] = top[pos - 1]; pos--; }
            top[pos] = (v, j);
        }
        double max = top[0].Logit, total = 0;
        var weights = new double[k];
        for (int i = 0; i < k; i++) total += weights[i] = Math.Exp(top[i].Logit - max);
        double u = rng.NextDouble() * total;
        for (int i = 0; i < k; i++)
        {
            u -= weights[i];
            if (u < 0) return top[i].Id;
        }
        return top[k - 1].Id;
    }
}
