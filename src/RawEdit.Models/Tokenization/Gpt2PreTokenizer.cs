using System.Buffers;
using System.Globalization;
using System.Text;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// Splits text into the pieces that GPT-2 byte-pair-encodes independently, with the same result as the
/// original encoder's pattern (Python <c>regex</c> module, which matches by code point):
/// <code>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</code>
/// A hand-written scanner rather than <see cref="System.Text.RegularExpressions.Regex"/>: .NET's regex
/// classifies UTF-16 code units, so a letter or digit outside the BMP (a surrogate pair such as 𝔘) would
/// fall into the "other" class. Here each code point is classified as a whole. <c>\s</c> is Unicode
/// White_Space (as in Python and .NET, unlike JavaScript, which adds U+FEFF and omits U+0085).
/// Letters and digits follow .NET's Unicode tables (16.0 in .NET 10): a code point first assigned in a later
/// Unicode version counts as "other" until the runtime knows it.
/// </summary>
internal static class Gpt2PreTokenizer
{
    internal enum CharKind : byte { Other, Letter, Number, Space }

    // Kinds of all BMP code units, built once; surrogate code units are looked at as pairs instead.
    private static readonly CharKind[] BmpKinds = BuildBmpKinds();

    /// <summary>Length in UTF-16 code units of the piece that starts at <paramref name="start"/>.</summary>
    public static int PieceLength(ReadOnlySpan<char> text, int start)
    {
        if (text[start] == '\'' && ContractionLength(text, start) is var contraction and > 0)
            return contraction;

        CharKind kind = KindAt(text, start, out int width);
        if (kind == CharKind.Space)
        {
            // " ?" lets one plain space lead a run of letters, digits or other symbols.
            if (text[start] == ' ' && start + 1 < text.Length)
            {
                CharKind next = KindAt(text, start + 1, out _);
                if (next != CharKind.Space)
                    return 1 + RunLength(text, start + 1, next);
            }
            return WhitespaceLength(text, start);
        }
        return width + RunLength(text, start + width, kind);
    }

    /// <summary>All pieces of <paramref name="text"/> as (start, length) pairs; for tests and tools.</summary>
    public static List<(int Start, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int, int)>();
        for (int start = 0; start < text.Length;)
        {
            int length = PieceLength(text, start);
            pieces.Add((start, length));
            start += length;
        }
        return pieces;
    }

    /// <summary>'s 't 're 've 'm 'll 'd, lowercase only, as in the original pattern.</summary>
    private static int ContractionLength(ReadOnlySpan<char> text, int start)
    {
        if (start + 1 >= text.Length)
            return 0;
        char first = text[start + 1];
        if (first is 's' or 't' or 'm' or 'd')
            return 2;
        if (start + 2 >= text.Length)
            return 0;
        char second = text[start + 2];
        bool threeLetter = (first, second) is ('r', 'e') or ('v', 'e') or ('l', 'l');
        return threeLetter ? 3 : 0;
    }

    /// <summary>Code units from <paramref name="start"/> while the code points are of <paramref name="kind"/>.</summary>
    private static int RunLength(ReadOnlySpan<char> text, int start, CharKind kind)
    {
        int end = start;
        while (end < text.Length && KindAt(text, end, out int width) == kind)
            end += width;
        return end - start;
    }

    /// <summary>
    /// <c>\s+(?!\S)</c> then <c>\s+</c>: a whitespace run followed by a non-space gives up its last
    /// character (so " word" keeps its space), unless the run is a single character.
    /// All White_Space characters are in the BMP, so one character is one code unit.
    /// </summary>
    private static int WhitespaceLength(ReadOnlySpan<char> text, int start)
    {
        int run = RunLength(text, start, CharKind.Space);
        bool atEnd = start + run == text.Length;
        return atEnd || run == 1 ? run : run - 1;
    }

    /// <summary>Kind of the code point at <paramref name="index"/> and its width in code units (1 or 2).</summary>
    internal static CharKind KindAt(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        if (!char.IsSurrogate(c))
        {
            width = 1;
            return BmpKinds[c];
        }
        if (Rune.DecodeFromUtf16(text[index..], out Rune rune, out width) != OperationStatus.Done)
        {
            width = 1; // a lone surrogate is category Cs, i.e. "other"
            return CharKind.Other;
        }
        return KindOf(Rune.GetUnicodeCategory(rune), Rune.IsWhiteSpace(rune));
    }

    private static CharKind KindOf(UnicodeCategory category, bool isWhiteSpace) => category switch
    {
        _ when isWhiteSpace => CharKind.Space,
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
            or UnicodeCategory.OtherNumber => CharKind.Number,
        _ => CharKind.Other,
    };

    private static CharKind[] BuildBmpKinds()
    {
        var kinds = new CharKind[char.MaxValue + 1];
        for (int c = 0; c <= char.MaxValue; c++)
            kinds[c] = KindOf(char.GetUnicodeCategory((char)c), char.IsWhiteSpace((char)c));
        return kinds;
    }
}
