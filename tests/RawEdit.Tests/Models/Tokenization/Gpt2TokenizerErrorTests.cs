using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>Bad ids and malformed files fail loudly, naming the id or the file and line.</summary>
[TestFixture]
internal class Gpt2TokenizerErrorTests
{
    private TokenizerFiles _files = null!;

    [SetUp]
    public void WriteValidFiles() => _files = new TokenizerFiles(["ab", "aba"], ["ab a", "a b"]);

    [TearDown]
    public void DeleteFiles() => _files.Dispose();

    [TestCase(50257)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public void Decode_UnknownId_ThrowsNamingTheId(int id)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2Tokenizer.Default.Decode([15496, id]));
        Assert.That(error!.Message, Does.Contain($"Token id {id} "));
        Assert.That(error.ActualValue, Is.EqualTo(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2Tokenizer.Default.DecodeToken(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gpt2Tokenizer.Default.GetVocabularyEntry(id));
    }

    [Test]
    public void ValidSmallFiles_Load()
    {
        var tokenizer = _files.Load();
        Assert.That(tokenizer.VocabSize, Is.EqualTo(259));
        Assert.That(tokenizer.EndOfTextId, Is.EqualTo(256));
        Assert.That(tokenizer.Encode("ab"), Is.EqualTo(new[] { 257 }));
    }

    [Test]
    public void Vocabulary_BrokenJson_NamesFileAndLine()
    {
        _files.VocabularyLines[3] = "  \"#\" 2,"; // line 4: missing colon
        AssertInvalid(_files.EncoderPath, "line 4");
    }

    [Test]
    public void Vocabulary_IdThatIsNotAnInteger_NamesFileAndLine()
    {
        _files.VocabularyLines[5] = "  \"$\": \"three\",";
        AssertInvalid(_files.EncoderPath, "line 6", "\"$\"");
    }

    [Test]
    public void Vocabulary_NotAnObject_NamesFile()
    {
        _files.VocabularyLines.Clear();
        _files.VocabularyLines.Add("[1, 2]");
        AssertInvalid(_files.EncoderPath, "line 1");
    }

    [Test]
    public void Vocabulary_SameIdTwice_NamesFileAndId()
    {
        _files.VocabularyLines[^2] = "  \"aba\": 257";
        AssertInvalid(_files.EncoderPath, "id 257");
    }

    [Test]
    public void Vocabulary_MissingEndOfText_NamesFile()
    {
        _files.VocabularyLines[257] = "  \"<|end|>\": 256,";
        AssertInvalid(_files.EncoderPath, "<|endoftext|>");
    }

    [Test]
    public void Merges_LineWithOneToken_NamesFileAndLine()
    {
        _files.MergeLines[2] = "ab";
        AssertInvalid(_files.MergesPath, "line 3", "\"ab\"");
    }

    [Test]
    public void Merges_UnknownToken_NamesFileAndLine()
    {
        _files.MergeLines.Add("ab b"); // "abb" is not in the vocabulary
        AssertInvalid(_files.MergesPath, "line 4", "\"abb\"");
    }

    [Test]
    public void Merges_RepeatedMerge_NamesFileAndLine()
    {
        _files.MergeLines.Add("a b");
        AssertInvalid(_files.MergesPath, "line 4", "twice");
    }

    [Test]
    public void FromDirectory_WithoutTokenizerFiles_SaysWhatItExpected()
    {
        File.Delete(_files.MergesPath);
        var error = Assert.Throws<FileNotFoundException>(() => Gpt2Tokenizer.FromDirectory(_files.Folder));
        Assert.That(error!.Message, Does.Contain(_files.Folder).And.Contain("merges.txt"));
        Assert.Throws<DirectoryNotFoundException>(() => Gpt2Tokenizer.FromDirectory(Path.Combine(_files.Folder, "missing")));
    }

    private void AssertInvalid(string file, params string[] fragments)
    {
        _files.Write();
        var error = Assert.Throws<InvalidDataException>(() => _files.Load());
        Assert.That(error!.Message, Does.Contain(file));
        foreach (string fragment in fragments)
            Assert.That(error.Message, Does.Contain(fragment));
    }
}
