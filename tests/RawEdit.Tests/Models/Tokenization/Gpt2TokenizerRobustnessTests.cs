using System.Diagnostics;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>Speed on real text and on long pieces.</summary>
[TestFixture]
internal class Gpt2TokenizerRobustnessTests
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

    /// <summary>
    /// One piece of n characters. Microsoft.ML.Tokenizers' BPE time grows as n² on such a piece (after merging it
    /// compacts its symbol list one removal at a time): 100,000 × '中', a 300,000-byte piece, takes about 9 s. Real
    /// text is split into short pieces first; these sizes, far beyond any piece of WikiText-2, stay well inside the limit.
    /// </summary>
    [TestCase('a', 20_000)]
    [TestCase(' ', 100_000)]
    [TestCase('中', 20_000)]
    public void Encode_HugePiece_IsFastAndRoundTrips(char repeated, int count)
    {
        string text = new(repeated, count);
        var tokenizer = Gpt2Tokenizer.Default; // loaded before timing

        var (ids, time) = Measure(() => tokenizer.Encode(text));

        TestContext.Out.WriteLine($"{count:N0} × '{repeated}' → {ids.Length:N0} tokens; {time}");
        Assert.That(tokenizer.Decode(ids), Is.EqualTo(text));
        Assert.That(time.Cpu, Is.LessThan(CpuLimit));
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
