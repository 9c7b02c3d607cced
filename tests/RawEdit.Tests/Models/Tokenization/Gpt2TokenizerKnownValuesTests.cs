using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>
/// Exact values, each checked against the oracle (gpt-3-encoder 1.1.4 for ids; Node's TextDecoder and
/// Python's bytes.decode(errors="replace") for decoding), never typed from memory.
/// </summary>
[TestFixture]
internal class Gpt2TokenizerKnownValuesTests
{
    private static Gpt2Tokenizer Tokenizer => Gpt2Tokenizer.Default;

    [TestCase("Hello world", new[] { 15496, 995 })]
    [TestCase(" Paris", new[] { 6342 })]
    [TestCase("Paris", new[] { 40313 })]
    [TestCase(" Rome", new[] { 10598 })]
    [TestCase("The capital of France is", new[] { 464, 3139, 286, 4881, 318 })]
    [TestCase("it's", new[] { 270, 338 })]
    [TestCase("John'S", new[] { 7554, 6, 50 })]
    [TestCase("  hi", new[] { 220, 23105 })]
    [TestCase("3.14", new[] { 18, 13, 1415 })]
    [TestCase("中文", new[] { 40792, 23877, 229 })]
    [TestCase("👍🏽", new[] { 41840, 235, 8582, 237, 121 })]
    [TestCase("𝔘𝔫𝔦", new[] { 47728, 242, 246, 47728, 242, 104, 47728, 242, 99 })]
    [TestCase("<|endoftext|>", new[] { 27, 91, 437, 1659, 5239, 91, 29 })]
    [TestCase("", new int[0])]
    public void Encode_GivesTheOracleIds(string text, int[] expected) =>
        Assert.That(Tokenizer.Encode(text), Is.EqualTo(expected));

    [Test]
    public void Vocabulary_HasGpt2Sizes()
    {
        Assert.That(Tokenizer.VocabSize, Is.EqualTo(50257));
        Assert.That(Tokenizer.EndOfTextId, Is.EqualTo(50256));
        Assert.That(Tokenizer.TryGetId("<|endoftext|>", out int endOfText) ? endOfText : -1, Is.EqualTo(50256));
        Assert.That(Tokenizer.TryGetId("ĠParis", out int paris) ? paris : -1, Is.EqualTo(6342));
        Assert.That(Tokenizer.TryGetId(" Paris", out _), Is.False, "lookup is by the byte-level spelling");
    }

    [Test]
    public void DecodeToken_And_GetVocabularyEntry_ShowOneToken()
    {
        Assert.That(Tokenizer.DecodeToken(6342), Is.EqualTo(" Paris"));
        Assert.That(Tokenizer.GetVocabularyEntry(6342), Is.EqualTo("ĠParis"));
        Assert.That(Tokenizer.DecodeToken(50256), Is.EqualTo("<|endoftext|>"));
        Assert.That(Tokenizer.DecodeToken(41840), Is.EqualTo("\uFFFD"), "first three bytes of 👍");
    }

    [Test]
    public void EncodeWithSpecialTokens_MapsTheLiteralMarker()
    {
        Assert.That(Tokenizer.EncodeWithSpecialTokens("document<|endoftext|> Paris"), Is.EqualTo(new[] { 22897, 50256, 6342 }));
        Assert.That(Tokenizer.EncodeWithSpecialTokens("<|endoftext|><|endoftext|>"), Is.EqualTo(new[] { 50256, 50256 }));
        Assert.That(Tokenizer.EncodeWithSpecialTokens("Hello world"), Is.EqualTo(Tokenizer.Encode("Hello world")));
    }

    [Test]
    public void Encode_IntoAList_Appends()
    {
        var ids = new List<int> { 50256 };
        Tokenizer.Encode("Hello world".AsSpan(), ids);
        Assert.That(ids, Is.EqualTo(new[] { 50256, 15496, 995 }));
    }

    // Byte-level tokens can end inside a UTF-8 character; such bytes decode to U+FFFD, one per maximal
    // invalid subsequence: 23877 = E6 96 (cut-off 3-byte sequence), 229 = 87 (lone continuation byte),
    // 40792 = E4 B8 AD (中), 41840 + 235 = F0 9F 91 + 8D (👍).
    [TestCase(new[] { 23877 }, "\uFFFD")]
    [TestCase(new[] { 229, 229 }, "\uFFFD\uFFFD")]
    [TestCase(new[] { 23877, 40792 }, "\uFFFD中")]
    [TestCase(new[] { 40792, 23877 }, "中\uFFFD")]
    [TestCase(new[] { 41840, 235 }, "👍")]
    [TestCase(new[] { 6342, 229, 40313 }, " Paris\uFFFDParis")]
    [TestCase(new int[0], "")]
    public void Decode_ReplacesInvalidUtf8LikePython(int[] ids, string expected) =>
        Assert.That(Tokenizer.Decode(ids), Is.EqualTo(expected));

    [Test]
    public void Encode_LoneSurrogate_EncodesItAsU_FFFD_AndDecodesToU_FFFD()
    {
        // Not valid text, so outside the round-trip guarantee; like the JavaScript oracle, the lone
        // surrogate is encoded as the UTF-8 bytes of U+FFFD.
        int[] ids = Tokenizer.Encode("a\uD800b");
        Assert.That(ids, Is.EqualTo(Tokenizer.Encode("a\uFFFDb")));
        Assert.That(Tokenizer.Decode(ids), Is.EqualTo("a\uFFFDb"));
    }

    [Test]
    public void EmbeddedTokenizer_NeedsNoFilesInTheWorkingDirectory()
    {
        string previous = Environment.CurrentDirectory;
        string empty = Directory.CreateTempSubdirectory("rawedit-cwd-").FullName;
        try
        {
            Environment.CurrentDirectory = empty;
            Assert.That(Gpt2Tokenizer.LoadEmbedded().Encode("Hello world"), Is.EqualTo(new[] { 15496, 995 }));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(empty);
        }
    }
}
