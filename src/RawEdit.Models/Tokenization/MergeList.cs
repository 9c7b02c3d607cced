namespace RawEdit.Models.Tokenization;

/// <summary>
/// The ranked merges of a GPT-2 tokenizer, best first, as the "left right" lines Microsoft.ML.Tokenizers takes.
/// Each merge is checked as it is added, so that a bad file fails naming the file and the line (the library
/// would name neither, and throws a bare <see cref="ArgumentException"/> on a repeated merge).
/// </summary>
internal sealed class MergeList(string fileName, IReadOnlyDictionary<string, int> vocabulary)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public List<string> Lines { get; } = new(capacity: 50_000);

    /// <summary>
    /// Reads a merges file (<c>vocab.bpe</c>, or <c>merges.txt</c> in Hugging Face checkpoints): an optional
    /// <c>#version</c> header, then one "left right" pair per line.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not "left right", names a token missing from the
    /// vocabulary, or repeats an earlier merge.</exception>
    public static List<string> Read(TextReader reader, string fileName, IReadOnlyDictionary<string, int> vocabulary)
    {
        var merges = new MergeList(fileName, vocabulary);
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
                continue;
            string[] parts = line.Split(' ');
            string where = $"line {lineNumber}";
            if (parts.Length != 2)
                throw merges.Malformed(where, $"expected two tokens separated by one space, got \"{line}\"");
            merges.Add(parts[0], parts[1], where);
        }
        return merges.Lines;
    }

    /// <summary>Adds the merge of <paramref name="left"/> and <paramref name="right"/>, ranked after those added before.</summary>
    /// <param name="left">The merge's first symbol.</param>
    /// <param name="right">The merge's second symbol.</param>
    /// <param name="where">Where the merge was read, for error messages ("line 7", "model.merges[6]").</param>
    public void Add(string left, string right, string where)
    {
        if (left.Length == 0 || right.Length == 0)
            throw Malformed(where, $"expected two non-empty tokens, got \"{left}\" and \"{right}\"");
        RequireToken(left, where);
        RequireToken(right, where);
        RequireToken(left + right, where);
        string line = left + " " + right;
        if (!_seen.Add(line))
            throw Malformed(where, $"the merge \"{line}\" appears twice");
        Lines.Add(line);
    }

    private void RequireToken(string token, string where)
    {
        if (!vocabulary.ContainsKey(token))
            throw Malformed(where, $"token \"{token}\" is not in the vocabulary");
    }

    private InvalidDataException Malformed(string where, string what) => new($"{fileName}, {where}: {what}");
}
