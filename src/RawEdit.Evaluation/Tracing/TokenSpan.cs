using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Tracing;

/// <summary>The tokens [Start, End) of a prompt that spell its subject.</summary>
internal sealed record TokenSpan(int Start, int End)
{
    public int Length => End - Start;

    /// <summary>The subject's last token: where ROME reads its key.</summary>
    public int Last => End - 1;

    public bool Contains(int token) => token >= Start && token < End;

    /// <summary>
    /// The tokens covering the first occurrence of <paramref name="subject"/> in the text the ids decode to: each
    /// token is decoded alone, and the span runs from the token whose text reaches past the subject's first character
    /// to the one whose text reaches its last.
    /// </summary>
    /// <exception cref="ArgumentException">The subject is empty or does not occur in the decoded prompt.</exception>
    public static TokenSpan Locate(Gpt2Tokenizer tokenizer, int[] ids, string subject)
    {
        if (string.IsNullOrWhiteSpace(subject)) throw new ArgumentException("the subject is empty");
        var pieces = ids.Select(id => tokenizer.DecodeToken(id)).ToArray();
        string text = string.Concat(pieces);
        int from = text.IndexOf(subject, StringComparison.Ordinal);
        if (from < 0) throw new ArgumentException($"the subject '{subject}' does not occur in the prompt '{text}'");
        int to = from + subject.Length;
        int start = -1, tokenEnd = 0;
        for (int i = 0; i < pieces.Length; i++)
        {
            tokenEnd += pieces[i].Length;
            if (start < 0 && tokenEnd > from) start = i;
            if (tokenEnd >= to) return new TokenSpan(start, i + 1);
        }
        throw new ArgumentException($"the subject '{subject}' runs past the end of the prompt '{text}'");
    }

    /// <summary>Checks the span lies inside a prompt of <paramref name="tokens"/> tokens and is not empty.</summary>
    public void CheckInside(int tokens)
    {
        if (Start < 0 || End > tokens || Start >= End)
            throw new ArgumentException($"subject tokens [{Start}, {End}) do not lie inside the prompt's {tokens} tokens");
    }
}
