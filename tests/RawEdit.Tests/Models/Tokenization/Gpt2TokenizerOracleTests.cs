using System.Text.RegularExpressions;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>Every line of the oracle fixture, through every way of building the tokenizer.</summary>
[TestFixture]
internal class Gpt2TokenizerOracleTests
{
    [Test]
    public void Fixture_IsLargeAndVaried()
    {
        Assert.That(OracleFixture.Lines, Has.Length.GreaterThan(4000));
        Assert.That(OracleFixture.Lines.Any(line => line.Any(char.IsSurrogate)), "no non-BMP characters in the sample");
    }

    [Test]
    public void Encode_GivesTheOracleIds_OnEveryLine() =>
        AssertMatchesOracle(Gpt2Tokenizer.Default, "Default (embedded)");

    [Test]
    public void FromDirectory_WithHuggingFaceNames_GivesTheOracleIds() =>
        AssertMatchesOracle(Gpt2Tokenizer.FromDirectory(TestPaths.Fixture("fixtures/hf-tiny-gpt2")), "hf-tiny-gpt2");

    [Test]
    public void FromDirectory_WithTheCommittedWeights_GivesTheOracleIds() =>
        AssertMatchesOracle(Gpt2Tokenizer.FromDirectory(TestPaths.InRepo("weights/tokenizer/gpt2")), "weights/tokenizer/gpt2");

    [Test]
    public void Decode_RoundTripsEveryLine()
    {
        var tokenizer = Gpt2Tokenizer.Default;
        string[] lines = OracleFixture.Lines;
        int failures = 0;
        string? first = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string fromOracleIds = tokenizer.Decode(OracleFixture.ExpectedIds[i]);
            string fromOurIds = tokenizer.Decode(tokenizer.Encode(lines[i]));
            if (fromOracleIds == lines[i] && fromOurIds == lines[i])
                continue;
            failures++;
            first ??= $"line {i + 1}: {OracleFixture.Show(lines[i])} decoded as {OracleFixture.Show(fromOurIds)}";
        }
        Assert.That(failures, Is.Zero, $"{failures} lines do not round-trip; first: {first}");
    }

    [Test]
    public void Encode_FromManyThreadsAtOnce_GivesTheOracleIds()
    {
        // A fresh instance, so the threads fill and read an empty cache together.
        var tokenizer = Gpt2Tokenizer.FromDirectory(TestPaths.InRepo("weights/tokenizer/gpt2"));
        int mismatches = 0;
        Parallel.For(0, OracleFixture.Lines.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            if (!tokenizer.Encode(OracleFixture.Lines[i]).AsSpan().SequenceEqual(OracleFixture.ExpectedIds[i]))
                Interlocked.Increment(ref mismatches);
        });
        Assert.That(mismatches, Is.Zero);
    }

    /// <summary>
    /// On text without surrogate pairs, .NET's Regex with GPT-2's pattern has the original's semantics
    /// (its \s is Unicode White_Space too), so it must split exactly as the hand-written scanner does.
    /// </summary>
    [Test]
    public void PreTokenizer_SplitsLikeTheRegex_OnBmpLines()
    {
        var pattern = new Regex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+");
        var bmpLines = OracleFixture.Lines.Where(line => !line.Any(char.IsSurrogate)).ToList();
        Assert.That(bmpLines, Has.Count.GreaterThan(4000));
        foreach (string line in bmpLines)
        {
            var expected = pattern.Matches(line).Select(m => line.Substring(m.Index, m.Length));
            var actual = Gpt2PreTokenizer.Split(line).Select(p => line.Substring(p.Start, p.Length));
            Assert.That(actual, Is.EqualTo(expected), OracleFixture.Show(line));
        }
    }

    private static void AssertMatchesOracle(Gpt2Tokenizer tokenizer, string source)
    {
        string[] lines = OracleFixture.Lines;
        int mismatches = 0;
        string? first = null;
        for (int i = 0; i < lines.Length; i++)
        {
            int[] expected = OracleFixture.ExpectedIds[i];
            int[] actual = tokenizer.Encode(lines[i]);
            if (actual.AsSpan().SequenceEqual(expected))
                continue;
            mismatches++;
            first ??= $"line {i + 1} {OracleFixture.Show(lines[i])}: expected {OracleFixture.Show(expected)}, " +
                      $"got {OracleFixture.Show(actual)}";
        }
        Assert.That(mismatches, Is.Zero, $"{source}: {mismatches} of {lines.Length} lines differ from the oracle; first: {first}");
    }
}
