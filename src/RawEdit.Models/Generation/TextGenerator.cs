using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Models.Generation;

/// <summary>Sampling settings: TopK = 1 is greedy decoding; the seed makes top-k sampling repeatable.</summary>
internal sealed record GenerationOptions(int MaxNewTokens = 20, int TopK = 1, int Seed = 0, bool StopAtEndOfText = true);

/// <summary>
/// Autoregressive decoding over a batch of prompts (each continued independently). The prompts run through the blocks
/// once; each new token then runs alone, reading the earlier tokens' attention keys and values from an
/// <see cref="AttentionCache"/> (a KV cache): the cost of a step is one row per sequence instead of the whole sequence.
/// Prompts are split into groups whose caches hold at most <see cref="CacheFloatBudget"/> floats; the groups advance in
/// lockstep and tokens are drawn in prompt order, so the split changes no draw (a prompt's logits can still differ in
/// their last bits with how many rows a product has, e.g. one row takes the matrix–vector path, as they always could
/// with the batch's composition; a near-tie may then go the other way). Tokens are picked
/// over the full vocabulary through <see cref="VocabularyHead"/> (compact for a vocabulary-subset model).
/// </summary>
internal static class TextGenerator
{
    /// <summary>Largest attention cache of one group of prompts: 2²⁸ floats (1 GiB in fp32).</summary>
    public const long CacheFloatBudget = 1L << 28;

    /// <summary>Returns each prompt's new token ids (without the prompt).</summary>
    /// <param name="model">The decoder.</param>
    /// <param name="prompts">Token ids, each at least one.</param>
    /// <param name="options">Length, sampling and stopping.</param>
    /// <param name="cacheFloatBudget">The largest attention cache of one group of prompts, in floats.</param>
    public static List<int[]> Generate(ICausalLanguageModel model, IReadOnlyList<int[]> prompts, GenerationOptions options,
        long cacheFloatBudget = CacheFloatBudget)
    {
        if (options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), $"top-k must be at least 1, got {options.TopK}");
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), "max new tokens must not be negative");
        var rng = new Random(options.Seed);
        var sequences = prompts.Select(p => p.ToList()).ToList();
        // A prompt that already fills the context gets no continuation.
        var done = prompts.Select(p => p.Length >= model.MaxPositions).ToArray();
        var groups = Groups(model, prompts, options.MaxNewTokens, done, cacheFloatBudget);
        var head = VocabularyHead.Of(model);
        var next = new float[prompts.Count][];
        using var _ = Tape.NoGrad();
        for (int step = 0; step < options.MaxNewTokens && done.Contains(false); step++)
        {
            foreach (var group in groups) group.Step(model, head, sequences, done, next, firstStep: step == 0);
            for (int i = 0; i < sequences.Count; i++)
            {
                if (done[i]) continue;
                int token = options.TopK == 1 ? head.ArgMax(next[i]) : head.SampleTopK(next[i], options.TopK, rng);
                sequences[i].Add(token);
                if ((options.StopAtEndOfText && token == model.EosTokenId) || sequences[i].Count >= model.MaxPositions) done[i] = true;
            }
        }
        return sequences.Select((s, i) => s.Skip(prompts[i].Length).ToArray()).ToList();
    }

    // Consecutive prompts, as many per group as the cache budget allows at the width generation will reach.
    private static List<CachedGroup> Groups(ICausalLanguageModel model, IReadOnlyList<int[]> prompts, int newTokens, bool[] done, long budget)
    {
        var members = Enumerable.Range(0, prompts.Count).Where(i => !done[i]).ToArray();
        if (members.Length == 0 || newTokens == 0) return [];
        int width = Math.Min(model.MaxPositions, members.Max(i => prompts[i].Length) + Math.Min(newTokens, model.MaxPositions));
        int perGroup = (int)Math.Clamp(budget / AttentionCache.Floats(model, 1, width), 1, members.Length);
        return members.Chunk(perGroup).Select(m => new CachedGroup(m, new AttentionCache(m.Length, width))).ToList();
    }

    /// <summary>Prompts (indices into the call's list) decoded together with one attention cache.</summary>
    private sealed class CachedGroup(int[] members, AttentionCache cache)
    {
        // First step: every prompt row of the unfinished members; later steps: each unfinished member's newest token.
        // Writes next[i] = the head's logits [W] after member i's last token.
        public void Step(ICausalLanguageModel model, VocabularyHead head, List<List<int>> sequences, bool[] done, float[][] next, bool firstStep)
        {
            var active = Enumerable.Range(0, members.Length).Where(m => !done[members[m]]).ToArray();
            if (active.Length == 0) return;
            var batch = new TokenBatch(members.Select(i => sequences[i].ToArray()).ToList(), model.EosTokenId, cache.Time);
            var rows = new List<int>();
            var lastRows = new int[active.Length];      // index into rows of each active member's last token
            for (int a = 0; a < active.Length; a++)
            {
                int length = batch.Lengths[active[a]];
                for (int t = firstStep ? 0 : length - 1; t < length; t++) rows.Add(batch.Row(active[a], t));
                lastRows[a] = rows.Count - 1;
            }
            // hidden at the computed rows [n,C] → last rows [A,C] → logits [A,W]
            var hidden = model.Extend(batch, [.. rows], cache);
            var logits = head.Logits(model, Ops.GatherRows(hidden, lastRows)).ToFloatArray();
            int width = head.Width;
            for (int a = 0; a < active.Length; a++) next[members[active[a]]] = logits.AsSpan(a * width, width).ToArray();
        }
    }
}
