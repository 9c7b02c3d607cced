using RawEdit.Tensors;

namespace RawEdit.Evaluation.World;

/// <summary>
/// Generated running prose: passages of several filler sentences, and short prose prefixes put in front of fact
/// sentences. The model then reads facts after arbitrary text, as ROME's context templates ("{generated text}. {prompt}")
/// and real use present them, so the key at a subject's last token varies with the prefix. Nothing here is real text
/// (nothing shippable is at hand offline, see weights/small-world/README.md); like the filler sentences, no passage
/// names a subject or states a relation.
/// </summary>
internal static class ProsePassages
{
    private const int MinSentences = 3, MaxSentences = 6;

    /// <summary>A passage stops growing at this many characters (about 100 tokens), so it fits a 128-token sequence.</summary>
    private const int MaxCharacters = 420;

    /// <summary><paramref name="count"/> passages of 3–6 sentences each (fewer where they would pass 420 characters), fixed by <paramref name="seed"/>.</summary>
    public static IReadOnlyList<string> Generate(int count, ulong seed)
    {
        var rng = SplitMix64.ForStream(seed, "prose/lengths");
        var lengths = Enumerable.Range(0, count).Select(_ => MinSentences + rng.NextInt(MaxSentences - MinSentences + 1)).ToArray();
        var sentences = FillerSentences.Generate(lengths.Sum(), seed ^ 0x9e3779b97f4a7c15UL);
        var passages = new List<string>(count);
        int next = 0;
        foreach (int length in lengths)
        {
            var passage = sentences[next];
            for (int i = 1; i < length && passage.Length + 1 + sentences[next + i].Length <= MaxCharacters; i++) passage += " " + sentences[next + i];
            passages.Add(passage);
            next += length;
        }
        return passages;
    }

    /// <summary>
    /// Each fact sentence, with probability <paramref name="share"/>, preceded by one or two filler sentences (drawn from
    /// their own stream, so the prefixes do not repeat the passages).
    /// </summary>
    public static List<string> WithPrefixes(IReadOnlyList<string> factSentences, double share, ulong seed)
    {
        var rng = SplitMix64.ForStream(seed, "prose/prefixes");
        var prefixed = new bool[factSentences.Count];
        int prefixCount = 0;
        for (int i = 0; i < prefixed.Length; i++)
            if (rng.NextDouble() < share) { prefixed[i] = true; prefixCount++; }
        var pool = FillerSentences.Generate(2 * prefixCount, seed ^ 0xd1b54a32d192ed03UL);
        var texts = new List<string>(factSentences.Count);
        int next = 0;
        for (int i = 0; i < factSentences.Count; i++)
        {
            if (!prefixed[i]) { texts.Add(factSentences[i]); continue; }
            int sentences = 1 + rng.NextInt(2);
            texts.Add(string.Join(" ", pool.Skip(next).Take(sentences)) + " " + factSentences[i]);
            next += 2;
        }
        return texts;
    }
}
