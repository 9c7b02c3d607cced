using RawEdit.Tensors;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.World;

/// <summary>
/// The training corpus of a world: every fact in each training form (and in its paraphrase forms where
/// those are trained), plus filler sentences, shuffled deterministically. Each text is one training
/// example; its token sequence ends with the end-of-text id.
/// </summary>
internal sealed class WorldCorpus
{
    /// <summary>tiny-world's longest sequence, end-of-text included (a world's own limit is <see cref="WorldOptions.MaxSequenceTokens"/>).</summary>
    public const int MaxSequenceTokens = 64;

    private WorldCorpus(IReadOnlyList<string> texts, IReadOnlyList<int[]> sequences, int factSentenceCount)
    {
        Texts = texts;
        Sequences = sequences;
        FactSentenceCount = factSentenceCount;
        TokenIds = [.. sequences.SelectMany(s => s).Distinct().Order()];
        TotalTokens = sequences.Sum(s => (long)s.Length);
        LongestSequence = sequences.Count == 0 ? 0 : sequences.Max(s => s.Length);
    }

    /// <summary>The examples as text, in training order (without the end-of-text marker).</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Token ids of each text followed by the end-of-text id, in the order of <see cref="Texts"/>.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    /// <summary>Every id the corpus uses, ascending; a trainer may restrict its softmax to these.</summary>
    public IReadOnlyList<int> TokenIds { get; }

    public int SentenceCount => Texts.Count;

    public int FactSentenceCount { get; }

    public int FillerSentenceCount => SentenceCount - FactSentenceCount;

    /// <summary>Tokens over all sequences, end-of-text ids included.</summary>
    public long TotalTokens { get; }

    /// <summary>Tokens in the longest sequence, end-of-text included.</summary>
    public int LongestSequence { get; }

    /// <summary>The corpus texts of a world, in training order; what <see cref="Render"/> tokenizes.</summary>
    public static IReadOnlyList<string> RenderTexts(FactWorld world) => Compose(world).Texts;

    /// <exception cref="InvalidOperationException">A text would exceed the world's <see cref="WorldOptions.MaxSequenceTokens"/>.</exception>
    public static WorldCorpus Render(FactWorld world, Gpt2Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var (texts, factSentenceCount) = Compose(world);
        var sequences = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
        {
            int[] ids = tokenizer.Encode(texts[i]);
            if (ids.Length + 1 > world.Options.MaxSequenceTokens)
                throw new InvalidOperationException(
                    $"Corpus text takes {ids.Length + 1} tokens with end-of-text, over {world.Options.MaxSequenceTokens}: \"{texts[i]}\"");
            var sequence = new int[ids.Length + 1];
            ids.CopyTo(sequence, 0);
            sequence[^1] = tokenizer.EndOfTextId;
            sequences[i] = sequence;
        }
        return new WorldCorpus(texts, sequences, factSentenceCount);
    }

    private static (List<string> Texts, int FactSentenceCount) Compose(FactWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var options = world.Options;
        var texts = world.Facts.SelectMany(world.CorpusSentences).ToList();
        if (options.ContextPrefixShare > 0) texts = ProsePassages.WithPrefixes(texts, options.ContextPrefixShare, options.Seed);
        int factSentenceCount = texts.Count;
        texts.AddRange(FillerSentences.Generate(options.FillerSentences, options.Seed));
        texts.AddRange(ProsePassages.Generate(options.ProsePassages, options.Seed));
        SplitMix64.ForStream(world.Options.Seed, "corpus/order").Shuffle(texts);
        return (texts, factSentenceCount);
    }

    /// <summary>One line of counts, for logs and reports.</summary>
    public string Summary() =>
        $"{SentenceCount} sentences ({FactSentenceCount} facts, {FillerSentenceCount} filler and prose), {TotalTokens} tokens, " +
        $"{TokenIds.Count} distinct token ids, longest sequence {LongestSequence} tokens";
}
