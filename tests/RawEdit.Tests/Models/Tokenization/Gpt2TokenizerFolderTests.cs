using System.Text.Json;
using System.Text.Json.Nodes;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>
/// Loading a checkpoint folder's own tokenizer: Hugging Face's tokenizer.json alone, and GPT-J's layout (GPT-2's
/// vocab.json + merges.txt plus added tokens in added_tokens.json or tokenizer.json). The files are built from the
/// hf-tiny-gpt2 fixture's vocab.json and merges.txt, so the ids must be the oracle's.
/// </summary>
[TestFixture]
internal class Gpt2TokenizerFolderTests : TempFolderTest
{
    /// <summary>GPT-J 6B's added tokens: &lt;|extratoken_1|&gt; … &lt;|extratoken_143|&gt; as ids 50257 … 50399.</summary>
    private static readonly Dictionary<string, int> GptJAddedTokens =
        Enumerable.Range(1, 143).ToDictionary(n => $"<|extratoken_{n}|>", n => 50256 + n);

    [TestCase(false)]
    [TestCase(true)]
    public void TokenizerJsonAlone_GivesTheOracleIds(bool mergesAsPairs)
    {
        WriteTokenizerJson(mergesAsPairs, addedTokens: new() { ["<|endoftext|>"] = 50256 });
        Assert.That(Gpt2Tokenizer.HasTokenizerFiles(temp));

        var tokenizer = Gpt2Tokenizer.FromDirectory(temp);

        Assert.That(tokenizer.VocabSize, Is.EqualTo(50257));
        AssertOracleIdsOnEveryTenthLine(tokenizer);
    }

    [Test]
    public void GptJLayout_WithAddedTokensJson_KeepsGpt2IdsAndAddsTheExtraTokens()
    {
        CopyVocabularyAndMerges();
        Write("added_tokens.json", JsonSerializer.Serialize(GptJAddedTokens));
        AssertGptJTokenizer(Gpt2Tokenizer.FromDirectory(temp));
    }

    [Test]
    public void GptJLayout_WithTokenizerJson_TakesItsAddedTokens()
    {
        WriteTokenizerJson(mergesAsPairs: false, addedTokens: new(GptJAddedTokens) { ["<|endoftext|>"] = 50256 });
        CopyVocabularyAndMerges();
        AssertGptJTokenizer(Gpt2Tokenizer.FromDirectory(temp));
    }

    [Test]
    public void AddedToken_WithAnotherIdThanTheVocabulary_IsRefused()
    {
        CopyVocabularyAndMerges();
        string path = Write("added_tokens.json", """{"<|endoftext|>": 50257}""");
        var error = Assert.Throws<InvalidDataException>(() => Gpt2Tokenizer.FromDirectory(temp));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("50256").And.Contain("50257"));
    }

    [TestCase("pre_tokenizer", """{"type": "ByteLevel", "add_prefix_space": true}""")]
    [TestCase("pre_tokenizer", """{"type": "Metaspace"}""")]
    [TestCase("normalizer", """{"type": "NFC"}""")]
    public void TokenizerJson_ThatWouldGiveOtherIds_IsRefused(string key, string json)
    {
        string path = WriteTokenizerJson(mergesAsPairs: false, addedTokens: [], change: root => root[key] = JsonNode.Parse(json));
        var error = Assert.Throws<InvalidDataException>(() => Gpt2Tokenizer.FromDirectory(temp));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("not a GPT-2 byte-level BPE tokenizer"));
    }

    [Test]
    public void TokenizerJson_WithAMergeOfUnknownTokens_NamesTheEntry()
    {
        WriteTokenizerJson(mergesAsPairs: false, addedTokens: [], change: root => root["model"]!["merges"]!.AsArray().Add("Ġ zzzz"));
        var error = Assert.Throws<InvalidDataException>(() => Gpt2Tokenizer.FromDirectory(temp));
        Assert.That(error!.Message, Does.Contain("model.merges[50000]").And.Contain("\"zzzz\""));
    }

    private void AssertGptJTokenizer(Gpt2Tokenizer tokenizer)
    {
        Assert.That(tokenizer.VocabSize, Is.EqualTo(50400));
        Assert.That(tokenizer.EndOfTextId, Is.EqualTo(50256));
        Assert.That(tokenizer.TryGetId("<|extratoken_1|>", out int first) ? first : -1, Is.EqualTo(50257));
        Assert.That(tokenizer.GetVocabularyEntry(50399), Is.EqualTo("<|extratoken_143|>"));
        Assert.That(tokenizer.SpecialTokens, Has.Count.EqualTo(144));
        AssertOracleIdsOnEveryTenthLine(tokenizer);

        // Plain Encode never produces an added token; EncodeWithSpecialTokens maps the marker, and Decode gives it back.
        string text = "The answer is<|extratoken_7|> 42<|endoftext|>";
        int[] plain = tokenizer.Encode(text);
        Assert.That(plain, Is.EqualTo(Gpt2Tokenizer.Default.Encode(text)));
        Assert.That(plain, Has.None.GreaterThanOrEqualTo(50257));
        int[] special = tokenizer.EncodeWithSpecialTokens(text);
        Assert.That(special, Is.EqualTo(tokenizer.Encode("The answer is").Append(50263).Concat(tokenizer.Encode(" 42")).Append(50256)));
        Assert.That(tokenizer.Decode(special), Is.EqualTo(text));
        Assert.That(tokenizer.DecodeToken(50263), Is.EqualTo("<|extratoken_7|>"));
    }

    private static void AssertOracleIdsOnEveryTenthLine(Gpt2Tokenizer tokenizer)
    {
        for (int i = 0; i < OracleFixture.Lines.Length; i += 10)
            Assert.That(tokenizer.Encode(OracleFixture.Lines[i]), Is.EqualTo(OracleFixture.ExpectedIds[i]), OracleFixture.Show(OracleFixture.Lines[i]));
    }

    private void CopyVocabularyAndMerges()
    {
        foreach (string name in new[] { "vocab.json", "merges.txt" })
            File.Copy(Path.Combine(Fixture, name), Path.Combine(temp, name));
    }

    /// <summary>A tokenizer.json as transformers writes for GPT-2 (merges as strings, or as pairs since tokenizers 0.20).</summary>
    private string WriteTokenizerJson(bool mergesAsPairs, Dictionary<string, int> addedTokens, Action<JsonObject>? change = null)
    {
        var vocabulary = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, "vocab.json")))!;
        var merges = new JsonArray(File.ReadLines(Path.Combine(Fixture, "merges.txt")).Skip(1).Where(line => line.Length > 0)
            .Select(line => mergesAsPairs ? new JsonArray(line.Split(' ').Select(part => (JsonNode)part!).ToArray()) : (JsonNode)line!)
            .ToArray());
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(addedTokens.Select(added => (JsonNode)new JsonObject
            {
                ["id"] = added.Value, ["content"] = added.Key, ["single_word"] = false, ["special"] = true,
            }).ToArray()),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject { ["type"] = "BPE", ["dropout"] = null, ["vocab"] = vocabulary, ["merges"] = merges },
        };
        change?.Invoke(root);
        return Write("tokenizer.json", root.ToJsonString());
    }
}
