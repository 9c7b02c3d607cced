using System.Text.Json;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>
/// Edge cases by category against the oracle (tools/tokenizer-oracle/edge-cases.js, ids by gpt-3-encoder in
/// Fixtures/tokenizer-edge-cases.jsonl): any disagreement of Microsoft.ML.Tokenizers, or of the pre-tokeniser and
/// surrogate handling in front of it, with the reference encoder fails here, naming the case. Each case runs through
/// a fresh tokenizer (empty cache, so through the library) and through <see cref="Gpt2Tokenizer.Default"/>.
/// </summary>
[TestFixture]
internal class Gpt2TokenizerEdgeCaseTests
{
    private static readonly Lazy<EdgeCase[]> Cases = new(Load);

    public static IEnumerable<string> Categories => Cases.Value.Select(c => c.Category).Distinct();

    [Test]
    public void Fixture_CoversEveryCategory() =>
        Assert.That(Categories, Is.EquivalentTo(new[]
        {
            "unicode", "whitespace runs", "contractions", "digits", "emoji", "lone surrogates", "end-of-text marker",
        }));

    [TestCaseSource(nameof(Categories))]
    public void Encode_GivesTheOracleIds(string category)
    {
        var fresh = Gpt2Tokenizer.FromDirectory(TestPaths.InRepo("weights/tokenizer/gpt2"));
        var cases = Cases.Value.Where(c => c.Category == category).ToList();
        var failures = new List<string>();
        foreach (var (_, text, expected) in cases)
        {
            foreach (var (name, tokenizer) in new[] { ("fresh", fresh), ("Default", Gpt2Tokenizer.Default) })
            {
                int[] actual = tokenizer.Encode(text);
                if (!actual.AsSpan().SequenceEqual(expected))
                    failures.Add($"{name} {Show(text)}: expected {OracleFixture.Show(expected)}, got {OracleFixture.Show(actual)}");
            }
        }
        Assert.That(cases, Is.Not.Empty);
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public void LoneSurrogates_AreEncodedAsU_FFFD()
    {
        var surrogateCases = Cases.Value.Where(c => c.Category == "lone surrogates").ToList();
        Assert.That(surrogateCases.All(c => c.Text.Any(char.IsSurrogate)), "every case holds a surrogate");
        foreach (var (_, text, expected) in surrogateCases)
            Assert.That(Gpt2Tokenizer.Default.Decode(expected), Is.EqualTo(WellFormed(text)), Show(text));
    }

    private static string WellFormed(string text) => string.Concat(text.EnumerateRunes().Select(rune => rune.ToString()));

    /// <summary>Code units as \uXXXX where a lone surrogate or an invisible character would hide them.</summary>
    private static string Show(string text) =>
        string.Concat(text.Select(c => char.IsSurrogate(c) || char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    private sealed record EdgeCase(string Category, string Text, int[] Ids);

    private sealed record EdgeCaseLine(string Category, int[] Utf16, int[] Ids);

    private static EdgeCase[] Load()
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        return OracleFixture.ReadLines("tests/RawEdit.Tests/Models/Tokenization/Fixtures/tokenizer-edge-cases.jsonl")
            .Select(json => JsonSerializer.Deserialize<EdgeCaseLine>(json, options)!)
            .Select(line => new EdgeCase(line.Category, new string(line.Utf16.Select(unit => (char)unit).ToArray()), line.Ids))
            .ToArray();
    }
}
