using System.Diagnostics;
using RawEdit.Benchmarks.Forward;
using RawEdit.Evaluation.World;
using RawEdit.Models;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;
using RawEdit.Models.Training;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Cpu;
using RawEdit.Tensors.Profiling;

namespace RawEdit.Benchmarks.Training;

/// <summary>
/// Where the time of GPT-2 124M goes on the CPU, by kind of work (the <see cref="OpProfiler"/> marks in Gpt2Model
/// and LanguageModelTrainer): forward passes without gradients at B = 1 and 4 (T = 64), as forward-server runs them,
/// and the training step of `rawedit train` (<see cref="LanguageModelTrainer.TrainStep"/>) at B = 4, T = 64 with a
/// backward part per kind. After one warm-up run each, profiled runs alternate with unprofiled ones; the tables give
/// the median milliseconds of each kind and its share of the median profiled run, then the median unprofiled run,
/// so the profiler's own cost shows.
/// </summary>
public static class StepProfile
{
    private const int Time = 64;

    /// <summary>Median seconds of each kind (in first-seen order), of a whole profiled run, of a whole plain run.</summary>
    private sealed record Summary(List<(string Kind, bool Backward, double Seconds)> Kinds, double Profiled, double Plain)
    {
        public double Of(string kind, bool backward) => Kinds.Where(k => k.Kind == kind && k.Backward == backward).Sum(k => k.Seconds);
    }

    public static int Run(int runs)
    {
        Console.WriteLine($"{MachineInfo.Cpu()}; vector path {MachineInfo.Describe()}; CpuGemm threads {CpuGemm.ThreadCount}; " +
                          $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {runs} profiled runs each");
        var model = Gpt2Initializer.Random(ForwardServer.Gpt2Small, seed: 1);
        var rng = new SplitMix64(7);
        var sequences = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, Time).Select(_ => rng.NextInt(model.VocabSize)).ToArray()).ToList();

        var forwardOne = Measure(runs, () => Forward(model, sequences.Take(1).ToList()));
        var forwardFour = Measure(runs, () => Forward(model, sequences));
        PrintForward(forwardOne, forwardFour);

        // The settings benchmarks/train/run.sh gives both sides by default.
        var trainer = new LanguageModelTrainer(model, sequences, TrainServer.Options(sequences.Count, learningRate: 6e-4, weightDecay: 0.1, clipNorm: 1.0));
        PrintTraining($"Training step (LanguageModelTrainer.TrainStep), B = 4, T = {Time}", Measure(runs, () => trainer.TrainStep()));
        return 0;
    }

    /// <summary>
    /// The training step of `rawedit train --preset NAME` itself: the preset's world corpus, model, vocabulary subset
    /// and options, from step 0 (each run takes the next batch, as training does; one warm-up step first).
    /// </summary>
    public static int RunPreset(string name, int runs)
    {
        Console.WriteLine($"{MachineInfo.Cpu()}; vector path {MachineInfo.Describe()}; CpuGemm threads {CpuGemm.ThreadCount}; " +
                          $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {runs} profiled runs each");
        var preset = TrainingPresets.Find(name);
        var corpus = WorldCorpus.Render(FactWorld.Generate(preset.World), Gpt2Tokenizer.Default);
        var model = Gpt2Initializer.Random(preset.Model, preset.InitSeed);
        var vocabulary = new VocabularySubset(corpus.TokenIds, model.VocabSize);
        vocabulary.ZeroUnusedRows(model["transformer.wte.weight"]);
        var trainer = new LanguageModelTrainer(model, corpus.Sequences, preset.Training, vocabulary);
        var batches = Enumerable.Range(0, 50).Select(step => trainer.BatchAt(step).Select(i => corpus.Sequences[i].Length).ToArray()).ToList();
        double real = batches.Average(b => b.Sum()), padded = batches.Average(b => b.Length * b.Max());
        var splits = batches.Select(b => (Lengths: b, Groups: LengthGroups.Split(b, LanguageModelTrainer.GroupCostTokens))).ToList();
        double grouped = splits.Average(s => s.Groups.Sum(g => g.Length * g.Max(i => s.Lengths[i])));
        double groups = splits.Average(s => s.Groups.Length);
        Console.WriteLine($"first 50 batches, tokens per step: {real:F0} real, {padded:F0} padded to the longest, {grouped:F0} padded in " +
                          $"{groups:F1} length groups");
        PrintTraining($"Training step of preset {name}: {preset.Training.BatchSequences} sequences of {corpus.Sequences.Average(s => s.Length):F1} " +
                      $"tokens on average, {preset.Model.Layers} layers × {preset.Model.Embedding}", Measure(runs, () => trainer.TrainStep()));
        return 0;
    }

    private static void Forward(Gpt2Model model, List<int[]> sequences)
    {
        using var _ = Tape.NoGrad();
        model.Forward(new TokenBatch(sequences, model.EosTokenId));
    }

    private static Summary Measure(int runs, Action run)
    {
        run();
        var perKind = new Dictionary<(string, bool), List<double>>();
        var order = new List<(string Kind, bool Backward)>();
        var profiled = new List<double>();
        var plain = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var clock = Stopwatch.StartNew();
            using (var profiler = OpProfiler.Start())
            {
                run();
                foreach (var k in profiler.Stop())
                {
                    if (!perKind.ContainsKey((k.Kind, k.Backward))) order.Add((k.Kind, k.Backward));
                    perKind.TryAdd((k.Kind, k.Backward), []);
                    perKind[(k.Kind, k.Backward)].Add(k.Seconds);
                }
            }
            profiled.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            run();
            plain.Add(clock.Elapsed.TotalSeconds);
        }
        // A kind missing from some run (none should be) counts as 0 there.
        var kinds = order.Select(k => (k.Kind, k.Backward, Median([.. perKind[k], .. new double[runs - perKind[k].Count]]))).ToList();
        return new Summary(kinds, Median(profiled), Median(plain));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void PrintForward(Summary one, Summary four)
    {
        Console.WriteLine();
        Console.WriteLine($"Forward, no gradients, T = {Time} (median ms per pass)");
        Console.WriteLine();
        Console.WriteLine("| kind | B=1 ms | B=1 % | B=4 ms | B=4 % |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (kind, _, _) in four.Kinds)
        {
            double a = one.Of(kind, false), b = four.Of(kind, false);
            Console.WriteLine($"| {kind} | {Ms(a)} | {Share(a, one.Profiled)} | {Ms(b)} | {Share(b, four.Profiled)} |");
        }
        Console.WriteLine($"| **whole pass, profiled** | {Ms(one.Profiled)} | 100 | {Ms(four.Profiled)} | 100 |");
        Console.WriteLine($"| whole pass, not profiled | {Ms(one.Plain)} | | {Ms(four.Plain)} | |");
    }

    private static void PrintTraining(string title, Summary step)
    {
        Console.WriteLine();
        Console.WriteLine($"{title} (median ms per step)");
        Console.WriteLine();
        Console.WriteLine("| kind | forward ms | backward ms | together ms | % of step |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var kind in step.Kinds.Select(k => k.Kind).Distinct())
        {
            double forward = step.Of(kind, false), backward = step.Of(kind, true);
            Console.WriteLine($"| {kind} | {Ms(forward)} | {Ms(backward)} | {Ms(forward + backward)} | {Share(forward + backward, step.Profiled)} |");
        }
        double allForward = step.Kinds.Where(k => !k.Backward).Sum(k => k.Seconds), allBackward = step.Kinds.Where(k => k.Backward).Sum(k => k.Seconds);
        Console.WriteLine($"| sum of the kinds | {Ms(allForward)} | {Ms(allBackward)} | {Ms(allForward + allBackward)} | {Share(allForward + allBackward, step.Profiled)} |");
        Console.WriteLine($"| **whole step, profiled** | | | {Ms(step.Profiled)} | 100 |");
        Console.WriteLine($"| whole step, not profiled | | | {Ms(step.Plain)} | |");
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString("F1");

    private static string Share(double seconds, double whole) => (100 * seconds / whole).ToString("F1");
}
