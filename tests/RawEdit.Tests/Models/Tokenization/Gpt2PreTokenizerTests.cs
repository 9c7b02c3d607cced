using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>
/// Pre-tokenisation against the original encoder's regex as run by Python's <c>regex</c> module
/// (2026.5.9): every expected split below is <c>regex.findall(pattern, text)</c>.
/// </summary>
[TestFixture]
internal class Gpt2PreTokenizerTests
{
    [TestCase("it's John'S", new[] { "it", "'s", " John", "'", "S" })]
    [TestCase("  two   spaces ", new[] { " ", " two", "  ", " spaces", " " })]
    [TestCase("a\t\tb", new[] { "a", "\t", "\t", "b" })]
    [TestCase("1,000.5", new[] { "1", ",", "000", ".", "5" })]
    // Non-BMP letters and digits are one character each (Python matches by code point).
    [TestCase("mix\U0001D518ed\U0001D7CE9", new[] { "mix\U0001D518ed", "\U0001D7CE9" })]
    [TestCase("\U0001D518's \U0001F600's", new[] { "\U0001D518", "'s", " \U0001F600'", "s" })]
    [TestCase(" \U0001F44D\U0001F3FD!", new[] { " \U0001F44D\U0001F3FD!" })]
    // \s is Unicode White_Space: U+0085 is whitespace, U+FEFF is not. JavaScript's \s has it the other way
    // round, so gpt-3-encoder splits these differently; they are kept out of its fixture.
    [TestCase("hello \u0085world", new[] { "hello", " ", "\u0085", "world" })]
    [TestCase("x\u0085\u0085 y", new[] { "x", "\u0085\u0085", " y" })]
    [TestCase("a \uFEFFb", new[] { "a", " \uFEFF", "b" })]
    [TestCase("\uFEFFHello world", new[] { "\uFEFF", "Hello", " world" })]
    public void Split_MatchesPythonsRegexModule(string text, string[] expected)
    {
        var pieces = Gpt2PreTokenizer.Split(text).Select(p => text.Substring(p.Start, p.Length));
        Assert.That(pieces, Is.EqualTo(expected));
    }

    /// <summary>
    /// Ids where gpt-3-encoder's whole-line result is wrong (its JavaScript \s): the Python split above,
    /// each piece encoded by gpt-3-encoder on its own (each piece is a single match there too).
    /// </summary>
    [TestCase("hello \u0085world", new[] { 31373, 220, 126, 227, 6894 })]
    [TestCase("a \uFEFFb", new[] { 64, 27332, 119, 123, 65 })]
    [TestCase("x\u0085\u0085 y", new[] { 87, 126, 227, 126, 227, 331 })]
    [TestCase("\uFEFFHello world", new[] { 171, 119, 123, 15496, 995 })]
    public void Encode_UsesPythonWhitespace(string text, int[] expected) =>
        Assert.That(Gpt2Tokenizer.Default.Encode(text), Is.EqualTo(expected));
}
