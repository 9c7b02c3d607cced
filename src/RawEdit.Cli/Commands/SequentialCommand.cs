using System.CommandLine;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Downstream;
using RawEdit.Evaluation.Mend;
using RawEdit.Evaluation.Saving;
using RawEdit.Evaluation.Sequential;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit sequential --model M --method rome|r-rome|p-rome|memit|emmet|alphaedit|mend [--editor E] --data F --edits N --eval-every K --out RUN [--resume] …</c>:
/// N single edits in order on one model, never restored, journaled in RUN so that <c>--resume</c> continues a
/// stopped run to the same weights bit for bit. Ctrl-C stops after the current edit. The final model is saved as
/// --save-dtype says, with what its storage keeps of each update in RUN/save-precision.json, and the run's edits are
/// re-scored on the model read back from RUN/model.
/// </summary>
internal static class SequentialCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var method = new Option<string>("--method") { Description = "rome | r-rome | p-rome | memit | emmet | alphaedit (one request per edit) | mend (with --editor)", Required = true };
        var data = new Option<string>("--data") { Description = "CounterFact records (upstream or flat form), edited in file order", Required = true };
        var edits = new Option<int>("--edits") { Description = "Number of sequential edits", Required = true };
        var evalEvery = new Option<int>("--eval-every") { Description = "Re-score earlier edits and run the downstream tasks every K edits", Required = true };
        var output = new Option<string>("--out") { Description = "Run folder (run.json, journal.jsonl, model/ at the end)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run stored in --out" };
        var hparams = new Option<string?>("--hparams") { Description = "Hyperparameters JSON with upstream keys, over the model's defaults (a partial file changes only the keys it names)" };
        var stats = new Option<string?>("--stats") { Description = "Second-moment statistics folder (rawedit stats --out)" };
        var editor = new Option<string?>("--editor") { Description = "MEND editor (rawedit mend-train --out), for --method mend" };
        var templates = new Option<string?>("--templates") { Description = "Context templates as a JSON list (\"{}\" first)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the context templates and probe generations", DefaultValueFactory = _ => 0 };
        var probePrompts = new Option<int>("--probe-prompts") { Description = "Probe prompts generated from after each edit", DefaultValueFactory = _ => 3 };
        var probeTokens = new Option<int>("--probe-tokens") { Description = "Tokens generated per probe prompt (top-k 5)", DefaultValueFactory = _ => 20 };
        var glue = new Option<string?>("--glue") { Description = "Folder of the downstream tasks' *-200.json files (e.g. ../shared/data/glue); none: no downstream tasks" };
        var glueExamples = new Option<int>("--glue-examples") { Description = "Examples per downstream task", DefaultValueFactory = _ => 200 };
        var guard = new Option<string>("--guard") { Description = "Disabling-edit guard: off | flag | refuse", DefaultValueFactory = _ => "off" };
        var guardRatio = new Option<double>("--guard-ratio") { Description = "Flag an edit whose |Δ| exceeds this multiple of the running median", DefaultValueFactory = _ => 10 };
        var guardEntropy = new Option<double>("--guard-entropy") { Description = "Flag an edit whose post-edit probe entropy (normalised) falls below this", DefaultValueFactory = _ => 0.5 };
        var saveDType = SavePrecisionOutput.Option();
        var command = new Command("sequential", "Apply many single edits one after another and watch for forgetting and collapse")
        {
            model, method, data, edits, evalEvery, output, resume, hparams, stats, editor, templates, seed, probePrompts, probeTokens,
            glue, glueExamples, guard, guardRatio, guardEntropy, saveDType,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string methodName = parse.GetValue(method)!;
            var methodOptions = new EditMethods.Options(parse.GetValue(hparams), parse.GetValue(stats), parse.GetValue(templates), parse.GetValue(seed),
                parse.GetValue(editor) is { } e ? Path.GetFullPath(e) : null);
            EditMethods.Check(methodName, methodOptions); // an unknown method, or MEND without an editor, fails before the model loads
            var storage = SaveDTypes.Parse(parse.GetValue(saveDType));
            var guardOptions = new GuardOptions(ParseGuard(parse.GetValue(guard)!), parse.GetValue(guardRatio), parse.GetValue(guardEntropy));
            string dataPath = Path.GetFullPath(parse.GetValue(data)!);
            var dataset = EditCaseReader.ReadFile(dataPath);
            if (dataset.NaturalKind != DatasetKind.CounterFact) throw new NotSupportedException("sequential runs score CounterFact records; this file is zsRE");
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            string runDir = Path.GetFullPath(parse.GetValue(output)!).TrimEnd('/');
            if (runDir == loaded.Source.TrimEnd('/') || runDir.StartsWith(loaded.Source.TrimEnd('/') + "/", StringComparison.Ordinal))
                throw new ArgumentException("--out must lie outside the input model's folder: runs never write their input model");

            // The method is built on the pristine model (context templates are generated from it) before any replay.
            var (editMethod, methodSettings) = EditMethods.Create(methodName, loaded, methodOptions);
            string? glueDir = parse.GetValue(glue) is { } g ? Path.GetFullPath(g) : null;
            var settings = new RunSettings
            {
                Model = loaded.Source, ModelSha256 = ModelFingerprint.Compute(loaded.Model), Method = editMethod.Name,
                Data = dataPath, DataSha256 = RunSettings.HashFile(dataPath), Edits = parse.GetValue(edits), EvalEvery = parse.GetValue(evalEvery),
                Seed = parse.GetValue(seed), ProbePrompts = parse.GetValue(probePrompts), ProbeTokens = parse.GetValue(probeTokens),
                Glue = glueDir, GlueExamples = parse.GetValue(glueExamples), Guard = guardOptions,
                MethodSettings = methodSettings, Editor = methodOptions.Editor,
            };
            // Everything that can refuse the input is checked before the run folder is touched.
            var downstream = glueDir is null ? null : DownstreamSuite.Load(glueDir, settings.GlueExamples);
            var runner = new SequentialRunner(loaded, editMethod, dataset.Cases, settings, runDir, downstream, storage);
            PrepareRunFolder(runDir, settings, parse.GetValue(resume));

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += stop;
            try
            {
                var outcome = SequentialProgress.Run(runner, settings.Edits, cancel.Token);
                if (outcome.Replayed > 0) Console.WriteLine($"resumed: replayed {outcome.Replayed} journaled edits{(outcome.DroppedTornRecord ? " (a torn last record was dropped)" : "")}");
                Console.WriteLine(outcome.Completed
                    ? $"done: {outcome.EditsDone} edits; final weights in {outcome.SavedModel}; rawedit report {runDir}"
                    : $"stopped after {outcome.EditsDone} of {outcome.Total} edits; the journal is consistent: run the same command with --resume to continue");
                if (outcome.Saved is { } saved) ReportSave(loaded, saved, dataset.Cases.Take(settings.Edits).Select(MendCases.Request).ToList(), runDir);
            }
            finally { Console.CancelKeyPress -= stop; }
            return 0;
        }));
        return command;
    }

    /// <summary>The save's precision line, then the edits' target probabilities re-scored on the saved model (a summary line); both to RUN/save-precision.json.</summary>
    private static void ReportSave(LoadedModel loaded, Editing.Saving.SaveReport saved, IReadOnlyList<Editing.Requests.EditRequest> requests, string runDir)
    {
        SavePrecisionOutput.Print(saved);
        var check = SavedEditCheck.Run(loaded.Model, saved.Folder, loaded.Tokenizer, requests);
        double largestDrop = check.Max(s => s.InMemoryProbability - s.SavedProbability);
        Console.WriteLine($"saved-model check over {check.Count} edit prompts: mean target probability in memory {check.Average(s => s.InMemoryProbability):F4}, " +
                          $"as saved {check.Average(s => s.SavedProbability):F4} (largest drop {largestDrop:F4})");
        var json = SavePrecisionOutput.Json(saved);
        json["saved_model_check"] = SavePrecisionOutput.Json(check);
        AtomicFile.WriteAllText(Path.Combine(runDir, "save-precision.json"), json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>A new run writes run.json; --resume requires one with the same settings (a larger --edits updates it).</summary>
    private static void PrepareRunFolder(string runDir, RunSettings settings, bool resume)
    {
        string settingsPath = Path.Combine(runDir, RunSettings.FileName);
        if (File.Exists(settingsPath))
        {
            if (!resume) throw new ArgumentException($"{runDir} already holds a run: pass --resume to continue it, or choose another --out");
            var stored = RunSettings.Load(settingsPath);
            if (stored.Mismatch(settings) is { } why) throw new ArgumentException($"cannot resume {runDir}: {why}");
            if (stored.Edits == settings.Edits) return;
        }
        else
        {
            if (resume) throw new ArgumentException($"nothing to resume: {settingsPath} does not exist");
            if (Directory.Exists(runDir) && Directory.EnumerateFileSystemEntries(runDir).Any())
                throw new ArgumentException($"--out {runDir} is not empty and holds no run");
            Directory.CreateDirectory(runDir);
        }
        AtomicFile.WriteAllText(settingsPath, settings.ToJson());
    }

    private static GuardMode ParseGuard(string value) => value switch
    {
        "off" => GuardMode.Off,
        "flag" => GuardMode.Flag,
        "refuse" => GuardMode.Refuse,
        _ => throw new ArgumentException($"--guard must be off, flag or refuse, got '{value}'"),
    };
}
