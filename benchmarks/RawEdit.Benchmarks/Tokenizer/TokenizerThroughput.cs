using System.Diagnostics;
using RawEdit.Models.Tokenization;

namespace RawEdit.Benchmarks.Tokenizer;

/// <summary>
/// `tokenizer TEXT TOKENIZER_DIR [instances]`: tokens per second of <see cref="Gpt2Tokenizer"/> on a text file
/// (WikiText-2 test: ../shared/data/wikitext/wiki.test.raw), three ways:
/// - whole text, empty cache: a fresh tokenizer's first Encode of the whole file (every new word goes through BPE);
/// - whole text, warm cache: the same tokenizer encoding it again;
/// - line by line, warm cache: one Encode per line, as `rawedit tokenize` and the evaluators call it.
/// Each of <c>instances</c> fresh tokenizers (loaded from TOKENIZER_DIR, loading not timed) gives one empty-cache
/// time and five warm times of each kind; medians are printed. One untimed instance runs first so that the JIT has
/// settled before anything is timed, and a full collection precedes each timed pass, so that no pass pays for the
/// garbage an earlier one left (the empty-cache pass leaves the most).
/// </summary>
public static class TokenizerThroughput
{
    private const int WarmRepeats = 5;

    public static int Run(string textPath, string tokenizerDir, int instances)
    {
        string text = File.ReadAllText(textPath);
        string[] lines = text.Split('\n');
        int tokens = Gpt2Tokenizer.FromDirectory(tokenizerDir).Encode(text).Length;
        RunOneInstance(Gpt2Tokenizer.FromDirectory(tokenizerDir), text, lines, new Timings());

        var timings = new Timings();
        for (int i = 0; i < instances; i++)
            RunOneInstance(Gpt2Tokenizer.FromDirectory(tokenizerDir), text, lines, timings);

        Console.WriteLine($"{textPath}: {text.Length:N0} chars, {lines.Length:N0} lines, {tokens:N0} tokens; " +
                          $"{instances} fresh tokenizers, {WarmRepeats} warm passes each; medians");
        Report("whole text, empty cache", timings.Cold, tokens);
        Report("whole text, warm cache", timings.WarmWhole, tokens);
        Report("line by line, warm cache", timings.WarmLines, tokens);
        return 0;
    }

    private static void RunOneInstance(Gpt2Tokenizer tokenizer, string text, string[] lines, Timings timings)
    {
        timings.Cold.Add(Seconds(() => tokenizer.Encode(text)));
        for (int r = 0; r < WarmRepeats; r++)
        {
            timings.WarmWhole.Add(Seconds(() => tokenizer.Encode(text)));
            timings.WarmLines.Add(Seconds(() =>
            {
                foreach (string line in lines)
                    tokenizer.Encode(line);
            }));
        }
    }

    private static double Seconds(Action work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var clock = Stopwatch.StartNew();
        work();
        return clock.Elapsed.TotalSeconds;
    }

    private static void Report(string what, List<double> seconds, int tokens)
    {
        double median = seconds.Order().ElementAt(seconds.Count / 2);
        Console.WriteLine($"  {what,-26} {median * 1000,8:F1} ms  {tokens / median / 1e6,6:F2} M tokens/s");
    }

    private sealed class Timings
    {
        public List<double> Cold { get; } = [];
        public List<double> WarmWhole { get; } = [];
        public List<double> WarmLines { get; } = [];
    }
}
