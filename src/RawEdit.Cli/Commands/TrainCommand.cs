using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RawEdit.Evaluation.World;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;
using RawEdit.Models.Training;
using Spectre.Console;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit train --preset tiny-world|small-world --out DIR [--epochs N] [--steps N]</c>: generates the fact world,
/// trains the preset's model on it (resuming from DIR/checkpoints when present; --steps ends this session after N steps,
/// checkpointed, to go on in a later one), then saves DIR as a Hugging Face folder (f16 weights), the world's edit cases
/// in CounterFact form, and a report with recall scores.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset")
        {
            Description = $"Training recipe ({string.Join(", ", TrainingPresets.All.Select(p => p.Name))})", DefaultValueFactory = _ => TinyWorldPreset.Name,
        };
        var output = new Option<string>("--out") { Description = "Output model folder", Required = true };
        var epochs = new Option<int?>("--epochs") { Description = "Override the preset's epoch count (the result is then not the shipped model)" };
        var steps = new Option<int?>("--steps") { Description = "Stop this session after N more steps (checkpointed; run again to go on)" };
        var command = new Command("train", "Train a default model on its synthetic fact world") { preset, output, epochs, steps };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var recipe = TrainingPresets.Find(parse.GetValue(preset)!);
            if (parse.GetValue(steps) is <= 0) throw new ArgumentException($"--steps must be positive, got {parse.GetValue(steps)}");
            Train(recipe, parse.GetValue(output)!, parse.GetValue(epochs), parse.GetValue(steps));
            return 0;
        }));
        return command;
    }

    private static void Train(TrainingPreset preset, string outDir, int? epochOverride, int? sessionSteps)
    {
        var clock = Stopwatch.StartNew();
        var world = FactWorld.Generate(preset.World);
        var tokenizer = Gpt2Tokenizer.Default;
        var corpus = WorldCorpus.Render(world, tokenizer);
        Console.WriteLine(corpus.Summary());
        // The world's edit cases do not depend on the weights: written first, so a checkpoint can be tried on them mid-run.
        CounterFactExport.Write(Path.Combine(outDir, "counterfact.json"), world.ExportCounterFact());

        var options = preset.Training with { Epochs = epochOverride ?? preset.Training.Epochs };
        var model = Gpt2Initializer.Random(preset.Model, preset.InitSeed);
        var vocabulary = new VocabularySubset(corpus.TokenIds, model.VocabSize);
        vocabulary.ZeroUnusedRows(model["transformer.wte.weight"]);
        var trainer = new LanguageModelTrainer(model, corpus.Sequences, options, vocabulary);
        string checkpoints = Path.Combine(outDir, "checkpoints");
        if (TrainingCheckpoint.Latest(checkpoints) is { } latest)
        {
            TrainingCheckpoint.Restore(trainer, latest);
            Console.WriteLine($"resuming from {latest} (step {trainer.Step} of {trainer.TotalSteps})");
        }
        Console.WriteLine($"training {preset.Model.Layers} layers × {preset.Model.Embedding} on {corpus.Sequences.Count} sequences, " +
                          $"{trainer.TotalSteps} steps, {Environment.ProcessorCount} threads");

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        int firstStep = trainer.Step;
        var session = Stopwatch.StartNew();
        TrainingProgressDisplay.Run(trainer, checkpoints, cancel.Token, sessionSteps is { } n ? firstStep + n : null, cancel);
        double secondsPerStep = session.Elapsed.TotalSeconds / Math.Max(1, trainer.Step - firstStep);
        Console.WriteLine($"{trainer.Step - firstStep} steps in {session.Elapsed.TotalSeconds:F1} s ({secondsPerStep:F2} s/step, including checkpoints)");
        if (trainer.Step < trainer.TotalSteps)
        {
            Console.WriteLine($"stopped at step {trainer.Step} of {trainer.TotalSteps}; run the same command again to resume");
            return;
        }

        var scores = WorldRecall.Measure(model, tokenizer, world);
        var halves = Gpt2Model.ExpectedShapes(model.Config).ToDictionary(p => p.Name, _ => TensorDType.F16);
        Gpt2Checkpoint.Save(model, outDir, KeyLayout.TransformerPrefix, halves,
            new Dictionary<string, string> { ["rawedit.preset"] = preset.Name, ["rawedit.step"] = trainer.Step.ToString() });
        var shipped = ModelLocator.Load(outDir);
        var shippedScores = WorldRecall.Measure(shipped.Model, tokenizer, world);
        var report = new
        {
            preset = preset.Name, model = preset.Model, training = options,
            threads = Environment.ProcessorCount, seconds = Math.Round(clock.Elapsed.TotalSeconds),
            corpus = new { sequences = corpus.Sequences.Count, tokens = corpus.TotalTokens, distinctTokens = corpus.TokenIds.Count },
            recallFp32 = scores, recallShippedF16 = shippedScores,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "training-report.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"recall (shipped f16): rewrite {shippedScores.Rewrite:P1}, held-out paraphrase {shippedScores.HeldOutParaphrase:P1}, " +
                          $"trained paraphrase {shippedScores.TrainedParaphrase:P1}, never-trained forms {shippedScores.NeverTrained:P1}");
        Console.WriteLine($"saved {outDir} in {clock.Elapsed.TotalMinutes:F1} min");
    }
}

/// <summary>A live progress bar with loss and tokens/s, or plain lines when output is redirected.</summary>
internal static class TrainingProgressDisplay
{
    /// <param name="stopAfter">The step this session ends at (cancelling <paramref name="stop"/>), or null to train to the end.</param>
    public static void Run(LanguageModelTrainer trainer, string checkpoints, CancellationToken cancel, int? stopAfter, CancellationTokenSource stop)
    {
        void StopAt(TrainingProgress p)
        {
            if (p.Step >= stopAfter) stop.Cancel();
        }
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            trainer.Run(checkpoints, new SynchronousProgress<TrainingProgress>(p =>
            {
                StopAt(p);
                if (p.Step % 50 == 0 || p.Step == p.TotalSteps || stopAfter is not null)
                    Console.WriteLine($"step {p.Step}/{p.TotalSteps} epoch {p.Epoch} loss {p.Loss:F4} lr {p.LearningRate:E2} |g| {p.GradientNorm:F2} {p.TokensPerSecond:F0} tok/s");
            }), cancel);
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: trainer.TotalSteps);
                task.Value = trainer.Step;
                trainer.Run(checkpoints, new SynchronousProgress<TrainingProgress>(p =>
                {
                    StopAt(p);
                    task.Value = p.Step;
                    task.Description = $"epoch {p.Epoch} loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s";
                }), cancel);
            });
    }
}
