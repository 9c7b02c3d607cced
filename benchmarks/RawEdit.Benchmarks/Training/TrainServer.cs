using System.Diagnostics;
using System.Globalization;
using RawEdit.Benchmarks.Forward;
using RawEdit.Models;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Training;

namespace RawEdit.Benchmarks.Training;

/// <summary>
/// Line protocol for benchmarks/train/side_by_side.py, timing GPT-2 124M training steps through
/// <see cref="LanguageModelTrainer.TrainStep"/>, the step `rawedit train` runs: forward, mean next-token
/// cross-entropy over the full vocabulary, backward, global-norm clipping, AdamW.
///   "setup MODEL IDS LR WD CLIP" → writes MODEL (a folder) with <see cref="Gpt2Initializer.Random"/> (GPT-2 small,
///                                  seed 1, f32) unless it exists, loads it as users do (<see cref="ModelLocator"/>),
///                                  reads IDS (one line of T space-separated token ids per sequence; B lines = one
///                                  batch), runs two steps and answers "loss₁ ‖g‖₁ loss₂ ‖g‖₂" (loss₂ is after one update);
///   "time N"                     → N more steps; answers the elapsed seconds and the last loss;  "quit".
/// The learning rate follows the trainer's cosine schedule over a million steps without warm-up, so it stays within
/// 1e-7 of LR for the few hundred steps a run makes: the PyTorch side's constant LR. The trainer reorders the B
/// sequences every epoch (one step here); a mean over the same rows, so only rounding differs.
/// </summary>
internal static class TrainServer
{
    public static int Serve(TextReader input, TextWriter output)
    {
        LanguageModelTrainer? trainer = null;
        return LineProtocol.Serve(input, output, new Dictionary<string, Func<string[], string>>
        {
            ["setup"] = words =>
            {
                trainer = Prepare(words[1], words[2], Number(words[3]), Number(words[4]), Number(words[5]));
                var (first, second) = (trainer.TrainStep(), trainer.TrainStep());
                return string.Join(' ', new[] { first.Loss, first.GradientNorm, second.Loss, second.GradientNorm }.Select(Text));
            },
            ["time"] = words =>
            {
                var steps = trainer ?? throw new InvalidOperationException("setup first");
                var clock = Stopwatch.StartNew();
                double loss = double.NaN;
                for (int i = int.Parse(words[1]); i > 0; i--) loss = steps.TrainStep().Loss;
                return $"{Text(clock.Elapsed.TotalSeconds)} {Text(loss)}";
            },
        });
    }

    private static LanguageModelTrainer Prepare(string folder, string idsFile, double learningRate, double weightDecay, double clipNorm)
    {
        if (!File.Exists(Path.Combine(folder, "model.safetensors")))
            Gpt2Checkpoint.Save(Gpt2Initializer.Random(ForwardServer.Gpt2Small, seed: 1), folder);
        var model = (Gpt2Model)ModelLocator.Load(folder).Model;
        var sequences = File.ReadAllLines(idsFile).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()).ToList();
        return new LanguageModelTrainer(model, sequences, Options(sequences.Count, learningRate, weightDecay, clipNorm));
    }

    /// <summary>One batch of <paramref name="batch"/> sequences per step, a flat learning rate (see above), no checkpoints.</summary>
    public static TrainingOptions Options(int batch, double learningRate, double weightDecay, double clipNorm) => new()
    {
        Epochs = 1_000_000, BatchSequences = batch, PeakLearningRate = learningRate, WarmupSteps = 0,
        WeightDecay = weightDecay, ClipNorm = clipNorm, CheckpointEvery = 0,
    };

    private static double Number(string word) => double.Parse(word, CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
