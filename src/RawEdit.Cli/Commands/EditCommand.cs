using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit edit --model M --method rome|r-rome|p-rome|mend --requests R.json [--hparams H.json] [--stats DIR] [--templates T.json] --out M2 [--report REPORT.json]</c>.
/// Requests are applied in order, each computed on the model as edited so far (as upstream's apply_rome_to_model).
/// </summary>
internal static class EditCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var method = new Option<string>("--method") { Description = "rome | r-rome | p-rome | mend", Required = true };
        var requests = new Option<string>("--requests") { Description = "JSON requests (upstream CounterFact or flat form)", Required = true };
        var hparams = new Option<string?>("--hparams") { Description = "Hyperparameters JSON with upstream keys" };
        var stats = new Option<string?>("--stats") { Description = "Second-moment statistics folder (rawedit stats --out)" };
        var templates = new Option<string?>("--templates") { Description = "Context templates as a JSON list (\"{}\" first); default: generated from the model" };
        var seed = new Option<int>("--seed") { Description = "Seed for generating context templates", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder for the edited model", Required = true };
        var report = new Option<string?>("--report") { Description = "Write per-edit figures (|Δ|, norms, loss) as JSON" };
        var editor = new Option<string?>("--editor") { Description = "MEND editor (rawedit mend-train --out), for --method mend" };
        var command = new Command("edit", "Edit facts in a model and save the edited model") { model, method, requests, hparams, stats, templates, seed, output, report, editor };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(method) == "mend") return EditWithMend(parse, model, requests, output, report, editor);
            var mode = ParseMethod(parse.GetValue(method)!);
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            if (outDir.TrimEnd('/') == loaded.Source.TrimEnd('/')) throw new ArgumentException("--out must differ from the input model: edits never overwrite their input");
            var requestList = EditRequestReader.ReadFile(parse.GetValue(requests)!);
            var h = RomeSetup.Hparams(loaded, parse.GetValue(hparams));
            var moment = RomeSetup.SecondMoment(loaded, h, parse.GetValue(stats));
            var contexts = RomeSetup.Templates(loaded, h, parse.GetValue(templates), parse.GetValue(seed));

            var records = new List<object>();
            foreach (var request in requestList)
            {
                var clock = Stopwatch.StartNew();
                var result = RomeEditor.Compute(loaded.Model, loaded.Tokenizer, request, contexts, h, mode, moment);
                result.Edit.ApplyTo(loaded.Model);
                records.Add(new
                {
                    case_id = request.CaseId, subject = request.Subject, prompt = request.Prompt, target_new = request.TargetNew,
                    layer = h.Layer, weight = result.Edit.WeightName, delta_magnitude = result.Edit.NormalizedMagnitude,
                    delta_frobenius = result.Edit.Frobenius, key_norm = result.KeyNorm, value_norm = result.ValueNorm,
                    delta_norm = result.DeltaNorm, denominator = result.Denominator, adam_steps = result.Value.AdamSteps,
                    stop = result.Value.StopReason, loss = result.Value.LossTrace, seconds = clock.Elapsed.TotalSeconds,
                });
                Console.WriteLine($"{request.CaseId}: {request.FilledPrompt} → {request.TargetNew}  |Δ| {result.Edit.NormalizedMagnitude:E3}  " +
                                  $"loss {result.Value.LossTrace[0]:F3} → {result.Value.LossTrace[^1]:F3}  {clock.Elapsed.TotalSeconds:F1} s");
            }
            SaveEdited(loaded, outDir, parse.GetValue(method)!, requestList.Count);
            if (parse.GetValue(report) is { } reportPath)
                AtomicFile.WriteAllText(reportPath, JsonSerializer.Serialize(new
                {
                    method = parse.GetValue(method), model = loaded.Source, hparams = h, context_templates = contexts,
                    second_moment = new { identity = moment.IsIdentity, tokens = moment.Tokens, documents = moment.Documents }, edits = records,
                }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"saved the edited model to {outDir}");
            return 0;
        }));
        return command;
    }

    private static int EditWithMend(ParseResult parse, Option<string> model, Option<string> requests, Option<string> output, Option<string?> report, Option<string?> editor)
    {
        var loaded = ModelLocator.Load(parse.GetValue(model)!);
        string outDir = Path.GetFullPath(parse.GetValue(output)!);
        if (outDir.TrimEnd('/') == loaded.Source.TrimEnd('/')) throw new ArgumentException("--out must differ from the input model: edits never overwrite their input");
        var requestList = EditRequestReader.ReadFile(parse.GetValue(requests)!);
        var records = MendEditRun.Apply(loaded, parse.GetValue(editor), requestList);
        SaveEdited(loaded, outDir, "mend", requestList.Count);
        if (parse.GetValue(report) is { } reportPath)
            AtomicFile.WriteAllText(reportPath, JsonSerializer.Serialize(new { method = "mend", model = loaded.Source, editor = parse.GetValue(editor), edits = records },
                new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"saved the edited model to {outDir}");
        return 0;
    }

    /// <summary>Saves the edited model in the layout and precision it came in, with the method and edit count in its metadata.</summary>
    private static void SaveEdited(LoadedModel loaded, string outDir, string method, int edits) =>
        ModelCheckpoint.Save(loaded.Model, outDir, loaded.Layout, loaded.StoredTypes,
            new Dictionary<string, string> { ["rawedit.method"] = method, ["rawedit.edits"] = edits.ToString() });

    public static RomeMode ParseMethod(string method) => method switch
    {
        "rome" => RomeMode.Rome,
        "r-rome" => RomeMode.RRome,
        "p-rome" => RomeMode.PRome,
        "memit" => throw new NotSupportedException($"--method {method} is not implemented yet (see the issue tracker); available: rome, r-rome, p-rome, mend"),
        _ => throw new ArgumentException($"unknown method '{method}' (rome, r-rome, p-rome, mend)"),
    };
}
