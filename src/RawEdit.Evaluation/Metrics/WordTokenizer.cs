using System.Text.RegularExpressions;

namespace RawEdit.Evaluation.Metrics;

/// <summary>
/// nltk.word_tokenize (NLTK 3.8) without its data files: sentences are split by a rule in place of the
/// trained Punkt model, then each sentence goes through the NLTKWordTokenizer (improved Treebank) rules,
/// ported pattern by pattern. The port matches NLTK's tokenizer on a sentence (checked against NLTK's output).
/// Where it differs from word_tokenize is the sentence split: here a sentence ends at '.', '?' or '!' (runs
/// of them, with closing quotes or brackets) followed by whitespace, unless the word before a single '.' is a
/// one-letter initial or a common abbreviation (Mr, Mrs, Dr, St, …); Punkt decides with statistics learnt
/// from a corpus, so abbreviations outside that list and lower-case sentence starts can split differently.
/// The split only matters for where a sentence-final period becomes its own token.
/// </summary>
internal static partial class WordTokenizer
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col", "lt", "sgt", "rev", "vs", "etc", "inc", "co", "corp", "ltd", "no", "fig", "jan", "feb",
        "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "e.g", "i.e", "mt", "ft", "ave",
    };

    private static readonly (Regex Pattern, string Replacement)[] StartingQuotes =
    [
        (new(@"([«“‘„]|[`]+)"), " $1 "),
        (new("^\""), "``"),
        (new("(``)"), " $1 "),
        (new(@"([ \(\[{<])(""|'{2})"), "$1 `` "),
        (new(@"(?i)(')(?!re|ve|ll|m|t|s|d|n)(\w)\b"), "$1 $2"),
    ];

    private static readonly (Regex Pattern, string Replacement)[] Punctuation =
    [
        (new(@"([^\.])(\.)([\]\)}>""'»”’ ]*)\s*$"), "$1 $2 $3 "),
        (new(@"([:,])([^\d])"), " $1 $2"),
        (new(@"([:,])$"), " $1 "),
        (new(@"\.{2,}"), " $0 "),
        (new(@"[;@#$%&]"), " $0 "),
        (new(@"([^\.])(\.)([\]\)}>""']*)\s*$"), "$1 $2$3 "),
        (new(@"[?!]"), " $0 "),
        (new(@"([^'])' "), "$1 ' "),
        (new(@"[*]"), " $0 "),
    ];

    private static readonly (Regex Pattern, string Replacement) ParensBrackets = (new(@"[\]\[\(\)\{\}\<\>]"), " $0 ");
    private static readonly (Regex Pattern, string Replacement) DoubleDashes = (new("--"), " -- ");

    private static readonly (Regex Pattern, string Replacement)[] EndingQuotes =
    [
        (new("([»”’])"), " $1 "),
        (new("''"), " '' "),
        (new("\""), " '' "),
        (new(@"([^' ])('[sS]|'[mM]|'[dD]|') "), "$1 $2 "),
        (new(@"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), "$1 $2 "),
    ];

    // MacIntyre contractions (cannot → can not, gonna → gon na, 'tis → 't is, …).
    private static readonly Regex[] Contractions =
    [
        new(@"(?i)\b(can)(?#X)(not)\b"), new(@"(?i)\b(d)(?#X)('ye)\b"), new(@"(?i)\b(gim)(?#X)(me)\b"), new(@"(?i)\b(gon)(?#X)(na)\b"),
        new(@"(?i)\b(got)(?#X)(ta)\b"), new(@"(?i)\b(lem)(?#X)(me)\b"), new(@"(?i)\b(more)(?#X)('n)\b"), new(@"(?i)\b(wan)(?#X)(na)(?=\s)"),
        new(@"(?i) ('t)(?#X)(is)\b"), new(@"(?i) ('t)(?#X)(was)\b"),
    ];

    /// <summary>Words of a text: sentence split, then <see cref="TokenizeSentence"/> on each.</summary>
    public static List<string> Tokenize(string text) => SplitSentences(text).SelectMany(TokenizeSentence).ToList();

    /// <summary>NLTKWordTokenizer.tokenize (convert_parentheses off) on one sentence.</summary>
    public static string[] TokenizeSentence(string sentence)
    {
        string text = sentence;
        foreach (var (pattern, replacement) in StartingQuotes) text = pattern.Replace(text, replacement);
        foreach (var (pattern, replacement) in Punctuation) text = pattern.Replace(text, replacement);
        text = ParensBrackets.Pattern.Replace(text, ParensBrackets.Replacement);
        text = DoubleDashes.Pattern.Replace(text, DoubleDashes.Replacement);
        text = " " + text + " ";
        foreach (var (pattern, replacement) in EndingQuotes) text = pattern.Replace(text, replacement);
        foreach (var pattern in Contractions) text = pattern.Replace(text, " $1 $2 ");
        return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The rule-based sentence split described on the class.</summary>
    public static List<string> SplitSentences(string text)
    {
        var sentences = new List<string>();
        int start = 0;
        foreach (Match end in SentenceEnd().Matches(text))
        {
            if (end.Groups["stop"].Value == "." && IsAbbreviation(text, end.Index)) continue;
            int cut = end.Index + end.Groups["stop"].Length + end.Groups["close"].Length;
            AddTrimmed(sentences, text[start..cut]);
            start = cut;
        }
        AddTrimmed(sentences, text[start..]);
        return sentences;
    }

    private static bool IsAbbreviation(string text, int periodIndex)
    {
        int wordStart = periodIndex;
        while (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1])) wordStart--;
        string word = text[wordStart..periodIndex].TrimStart('(', '"', '\'', '[');
        return (word.Length == 1 && char.IsLetter(word[0])) || Abbreviations.Contains(word);
    }

    private static void AddTrimmed(List<string> sentences, string piece)
    {
        piece = piece.Trim();
        if (piece.Length > 0) sentences.Add(piece);
    }

    [GeneratedRegex(@"(?<stop>[.?!]+)(?<close>[""')\]’”]*)(?=\s)")]
    private static partial Regex SentenceEnd();
}
