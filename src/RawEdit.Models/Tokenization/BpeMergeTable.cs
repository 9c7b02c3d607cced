namespace RawEdit.Models.Tokenization;

/// <summary>
/// The ranked merges of a GPT-2 merges file (<c>vocab.bpe</c>, or <c>merges.txt</c> in Hugging Face checkpoints):
/// an optional <c>#version</c> header, then one "left right" pair per line, best (lowest rank) first.
/// Pairs are held as vocabulary ids so merging never builds strings.
/// </summary>
internal sealed class BpeMergeTable
{
    private readonly Dictionary<long, int> _rankOfPair;
    private readonly int[] _mergedIdOfRank;

    private BpeMergeTable(Dictionary<long, int> rankOfPair, int[] mergedIdOfRank)
    {
        _rankOfPair = rankOfPair;
        _mergedIdOfRank = mergedIdOfRank;
    }

    public int Count => _mergedIdOfRank.Length;

    public bool TryGetRank(int leftId, int rightId, out int rank) =>
        _rankOfPair.TryGetValue(PairKey(leftId, rightId), out rank);

    /// <summary>Id of the token that the merge of rank <paramref name="rank"/> produces.</summary>
    public int MergedId(int rank) => _mergedIdOfRank[rank];

    /// <exception cref="InvalidDataException">A line is not "left right", names a token missing from the
    /// vocabulary, or repeats an earlier merge.</exception>
    public static BpeMergeTable Parse(TextReader reader, string fileName, Gpt2Vocabulary vocabulary)
    {
        var rankOfPair = new Dictionary<long, int>(capacity: 50_000);
        var mergedIds = new List<int>(capacity: 50_000);
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
                continue;

            string[] parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw Malformed(fileName, lineNumber, $"expected two tokens separated by one space, got \"{line}\"");
            int left = IdOf(parts[0], vocabulary, fileName, lineNumber);
            int right = IdOf(parts[1], vocabulary, fileName, lineNumber);
            int merged = IdOf(parts[0] + parts[1], vocabulary, fileName, lineNumber);
            if (!rankOfPair.TryAdd(PairKey(left, right), mergedIds.Count))
                throw Malformed(fileName, lineNumber, $"the merge \"{line}\" appears twice");
            mergedIds.Add(merged);
        }
        return new BpeMergeTable(rankOfPair, mergedIds.ToArray());
    }

    private static long PairKey(int leftId, int rightId) => ((long)leftId << 32) | (uint)rightId;

    private static int IdOf(string token, Gpt2Vocabulary vocabulary, string fileName, int lineNumber) =>
        vocabulary.TryGetId(token, out int id)
            ? id
            : throw Malformed(fileName, lineNumber, $"token \"{token}\" is not in the vocabulary");

    private static InvalidDataException Malformed(string fileName, int lineNumber, string what) =>
        new($"{fileName}, line {lineNumber}: {what}");
}
