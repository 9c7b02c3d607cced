using System.CommandLine;
using System.Diagnostics;
using RawEdit.Editing.Mend;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Mend;
using RawEdit.Models;
using Spectre.Console;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit mend-train --model M --data F --out EDITOR [--val F] [--hparams H.json] [--max-iters N] [--eval-limit N]</c>:
/// trains a MEND editor on the train part of F's edit cases (CounterFact or zsRE form; split by case id), validating
/// on --val or F's validation part, resuming from EDITOR/training-state.safetensors when present; then scores
/// single MEND edits on F's held-out part. EDITOR/editor.safetensors is the best editor by validation loss.
/// </summary>
internal static class MendTrainCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Edit cases (upstream or flat CounterFact, or MEND zsRE)", Required = true };
        var validation = new Option<string?>("--val") { Description = "Validation cases (default: the validation part of --data)" };
        var output = new Option<string>("--out") { Description = "Editor folder (editor.safetensors, training state, report.json)", Required = true };
        var hparams = new Option<string?>("--hparams") { Description = "MEND hyperparameters JSON with upstream keys (over the model's defaults)" };
        var maxIters = new Option<int?>("--max-iters") { Description = "Override max_iters (training examples to process)" };
        var evalLimit = new Option<int?>("--eval-limit") { Description = "Score at most N held-out cases after training (0: none; default: all)" };
        var command = new Command("mend-train", "Train a MEND editor network for a model on its edit cases")
            { model, data, validation, output, hparams, maxIters, evalLimit };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var h = MendSetup.Hparams(loaded, parse.GetValue(hparams));
            if (parse.GetValue(maxIters) is { } iters) h = h with { MaxIters = iters };
            h.Validate("--max-iters");
            if (parse.GetValue(evalLimit) is < 0) throw new ArgumentException("--eval-limit must not be negative");
            Train(loaded, h, parse.GetValue(data)!, parse.GetValue(validation), Path.GetFullPath(parse.GetValue(output)!), parse.GetValue(evalLimit));
            return 0;
        }));
        return command;
    }

    private static void Train(LoadedModel loaded, MendHyperParameters h, string dataPath, string? validationPath, string outDir, int? evalLimit)
    {
        var clock = Stopwatch.StartNew();
        var cases = EditCaseReader.ReadFile(dataPath).Cases;
        var trainCases = CaseSplit.Select(cases, CasePart.Train);
        var validationCases = validationPath is null ? CaseSplit.Select(cases, CasePart.Validation) : EditCaseReader.ReadFile(validationPath).Cases;
        var heldOut = CaseSplit.Select(cases, CasePart.HeldOut).Take(evalLimit ?? int.MaxValue).ToList();
        var tokenizer = loaded.Tokenizer;
        var trainer = new MendTrainer(loaded.Model, MendEditor.Create(loaded.Model, h),
            trainCases.Select(c => MendCases.Example(tokenizer, c)).ToList(), validationCases.Select(c => MendCases.Example(tokenizer, c)).ToList());
        string state = Path.Combine(outDir, MendTrainingState.FileName);
        if (File.Exists(state))
        {
            MendTrainingState.Restore(trainer, state);
            Console.WriteLine($"resuming from {state} (iteration {trainer.Iteration} of {h.MaxIters})");
        }
        Console.WriteLine($"MEND on {string.Join(", ", trainer.Editor.Matrices.Select(m => m.Name))}: {trainCases.Count} training, " +
                          $"{validationCases.Count} validation, {CaseSplit.Select(cases, CasePart.HeldOut).Count} held-out cases; " +
                          $"{Environment.ProcessorCount} threads");

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        MendProgressDisplay.Run(trainer, outDir, cancel.Token);
        if (cancel.IsCancellationRequested)
        {
            Console.WriteLine($"stopped at iteration {trainer.Iteration}; run the same command again to resume");
            return;
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"trained {trainer.Iteration} iterations in {trainSeconds / 60:F1} min" +
                          (trainer.EarlyStopped ? " (early stop)" : "") + $"; best validation loss {trainer.BestValidationLoss:F4} at {trainer.BestIteration}");

        var best = MendEditorFile.Load(outDir, loaded.Model);
        MendSetup.HeldOutScores? scores = null;
        if (heldOut.Count > 0)
        {
            scores = MendSetup.Evaluate(loaded, best, heldOut);
            MendSetup.Print(scores, heldOut.Count);
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            model = loaded.Source, data = Path.GetFullPath(dataPath), hparams = h.ToJson().ToJsonString(), threads = Environment.ProcessorCount,
            iterations = trainer.Iteration, early_stopped = trainer.EarlyStopped, best_iteration = trainer.BestIteration,
            best_validation_loss = trainer.BestValidationLoss, training_seconds = Math.Round(trainSeconds),
            cases = new { train = trainCases.Count, validation = validationCases.Count, held_out_scored = heldOut.Count },
            held_out = scores is null ? null : MendSetup.Json(scores),
        }, MendSetup.Indented));
        Console.WriteLine($"saved the editor to {Path.Combine(outDir, MendEditorFile.EditorFileName)}");
    }
}

/// <summary>A live progress bar with the losses, or a plain line per validation when output is redirected.</summary>
internal static class MendProgressDisplay
{
    public static void Run(MendTrainer trainer, string outDir, CancellationToken cancel)
    {
        static string Line(MendTrainingProgress p) =>
            $"iter {p.Iteration}/{p.MaxIterations} loss {p.Smoothed.Total:F4} (edit {p.Smoothed.Edit:F3}, loc {p.Smoothed.Locality:F4}) |g| {p.GradientNorm:F2} {p.ExamplesPerSecond:F1} ex/s";
        static string Validation(MendValidation v, double best) =>
            $"validation: loss {v.Total:F4} (edit {v.Edit:F3}, loc {v.Locality:F4}), edit accuracy {v.EditAccuracy:P1}, best {best:F4}";
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            trainer.Run(outDir, new SynchronousProgress<MendTrainingProgress>(p =>
            {
                if (p.Validation is { } v) Console.WriteLine(Line(p) + "\n  " + Validation(v, p.BestValidationLoss));
            }), cancel);
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("MEND", maxValue: trainer.Hparams.MaxIters);
                task.Value = trainer.Iteration;
                trainer.Run(outDir, new SynchronousProgress<MendTrainingProgress>(p =>
                {
                    task.Value = p.Iteration;
                    task.Description = Markup.Escape($"loss {p.Smoothed.Total:F3} edit {p.Smoothed.Edit:F3} {p.ExamplesPerSecond:F1} ex/s");
                    if (p.Validation is { } v) AnsiConsole.MarkupLine(Markup.Escape($"{p.Iteration}: " + Validation(v, p.BestValidationLoss)));
                }), cancel);
            });
    }
}
