using System.Diagnostics;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>Speed on real text, long pieces, and merge-order semantics that GPT-2's own merges never reach.</summary>
[TestFixture]
public class Gpt2TokenizerRobustnessTests
{
    // Limits are on this process's CPU time, which a busy shared machine inflates far less than wall time,
    // and are generous: typical figures are printed and are an order of magnitude lower.
    private static readonly TimeSpan CpuLimit = TimeSpan.FromSeconds(5);

    [Test]
    public void Encode_WholeWikiText2Test_TakesUnderAFewSeconds()
    {
        string text = File.ReadAllText(TestPaths.Shared("wikitext/wiki.test.raw"));
        var tokenizer = Gpt2Tokenizer.FromDirectory(TestPaths.InRepo("weights/tokenizer/gpt2")); // empty cache

        var (ids, cold) = Measure(() => tokenizer.Encode(text));
        var (again, warm) = Measure(() => tokenizer.Encode(text));

        TestContext.Out.WriteLine($"WikiText-2 test: {text.Length:N0} chars → {ids.Length:N0} tokens; " +
                                  $"empty cache {cold}, warm cache {warm}");
        Assert.That(again, Is.EqualTo(ids));
        Assert.That(tokenizer.Decode(ids), Is.EqualTo(text));
        Assert.That(cold.Cpu, Is.LessThan(CpuLimit));
    }

    [TestCase('a', 100_000)]
    [TestCase(' ', 100_000)]
    [TestCase('中', 100_000)]
    public void Encode_HugePiece_IsFastAndRoundTrips(char repeated, int count)
    {
        string text = new(repeated, count);
        var tokenizer = Gpt2Tokenizer.Default; // loaded before timing

        var (ids, time) = Measure(() => tokenizer.Encode(text));

        TestContext.Out.WriteLine($"{count:N0} × '{repeated}' → {ids.Length:N0} tokens; {time}");
        Assert.That(tokenizer.Decode(ids), Is.EqualTo(text));
        Assert.That(time.Cpu, Is.LessThan(CpuLimit));
    }

    /// <summary>
    /// With merges "ab a" (rank 0) before "a b" (rank 1), "abab" first becomes ab|a|b, which offers the
    /// better-ranked pair (ab, a). The original finishes merging every (a, b) first, giving ab|ab. Checked with
    /// gpt-3-encoder's Encoder.js loaded with these two files: "abab" → [257, 257], "ababa" → [257, 258],
    /// "aab" → [64, 257].
    /// </summary>
    [TestCase("abab", new[] { 257, 257 })]
    [TestCase("ababa", new[] { 257, 258 })]
    [TestCase("aab", new[] { 64, 257 })]
    public void Encode_MergesEveryOccurrenceOfAPairBeforeTheNext(string text, int[] expected)
    {
        using var files = new TokenizerFiles(["ab", "aba"], ["ab a", "a b"]);
        Assert.That(files.Load().Encode(text), Is.EqualTo(expected));
    }

    private static (T Result, Timing Time) Measure<T>(Func<T> work)
    {
        var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        T result = work();
        wall.Stop();
        process.Refresh();
        return (result, new Timing(wall.Elapsed, process.TotalProcessorTime - cpuBefore));
    }

    private readonly record struct Timing(TimeSpan Wall, TimeSpan Cpu)
    {
        public override string ToString() => $"{Wall.TotalMilliseconds:F0} ms wall, {Cpu.TotalMilliseconds:F0} ms CPU";
    }
}
