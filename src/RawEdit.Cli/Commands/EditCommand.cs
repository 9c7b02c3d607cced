using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using RawEdit.Editing;
using RawEdit.Editing.AlphaEdit;
using RawEdit.Editing.Emmet;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Saving;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.Saving;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit edit --model M --method rome|r-rome|p-rome|memit|emmet|alphaedit|mend --requests R.json [--hparams H.json] [--stats DIR] [--templates T.json] [--editor E] --out M2 [--save-dtype same|f32|f16|bf16] [--report REPORT.json]</c>.
/// ROME and MEND requests are applied in order, each computed on the model as edited so far (as upstream's apply_rome_to_model);
/// MEMIT, EMMET and AlphaEdit edit all requests in one batch (apply_memit_to_model, apply_emmet_to_model, apply_AlphaEdit_to_model;
/// AlphaEdit's batch starts a sequence: no earlier keys are preserved). The save reports how much of each edited weight's
/// update its storage dtype keeps, then the model is read back and each request's target probability is scored on it
/// beside the in-memory score.
/// </summary>
internal static class EditCommand
{
    private sealed record Options(string Method, string? Hparams, string? Stats, string? Templates, int Seed, string? Editor);

    public static Command Create()
    {
        var model = CommonOptions.Model();
        var method = new Option<string>("--method") { Description = "rome | r-rome | p-rome | memit | emmet | alphaedit | mend", Required = true };
        var requests = new Option<string>("--requests") { Description = "JSON requests (upstream CounterFact or flat form)", Required = true };
        var hparams = new Option<string?>("--hparams") { Description = "Hyperparameters JSON with upstream keys, over the model's defaults (a partial file changes only the keys it names)" };
        var stats = new Option<string?>("--stats") { Description = "Second-moment statistics folder (rawedit stats --out)" };
        var templates = new Option<string?>("--templates") { Description = "Context templates as a JSON list (\"{}\" first); default: generated from the model" };
        var seed = new Option<int>("--seed") { Description = "Seed for generating context templates", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder for the edited model", Required = true };
        var report = new Option<string?>("--report") { Description = "Write the edit's figures (|Δ| per edited matrix, norms, losses) as JSON" };
        var editor = new Option<string?>("--editor") { Description = "MEND editor (rawedit mend-train --out), for --method mend" };
        var saveDType = SavePrecisionOutput.Option();
        var command = new Command("edit", "Edit facts in a model and save the edited model") { model, method, requests, hparams, stats, templates, seed, output, report, editor, saveDType };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string methodName = parse.GetValue(method)!;
            var options = new Options(methodName, parse.GetValue(hparams), parse.GetValue(stats), parse.GetValue(templates), parse.GetValue(seed), parse.GetValue(editor));
            if (methodName is not ("memit" or "emmet" or "alphaedit" or "mend")) ParseMethod(methodName);
            var storage = SaveDTypes.Parse(parse.GetValue(saveDType));
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            if (loaded.IsSourceFolder(outDir)) throw new ArgumentException("--out must differ from the input model: edits never overwrite their input");
            var requestList = EditRequestReader.ReadFile(parse.GetValue(requests)!);

            var applied = new List<AppliedEdit>();
            object figures = methodName switch
            {
                "memit" or "emmet" or "alphaedit" => Batch(loaded, requestList, options, applied),
                "mend" => new { method = "mend", model = loaded.Source, editor = options.Editor, edits = MendEditRun.Apply(loaded, options.Editor, requestList, applied) },
                _ => Rome(loaded, requestList, options, applied),
            };
            // Saved in the layout it came in and the chosen precision, with the method and edit count in its metadata.
            var saved = EditedModelSaver.Save(loaded, PristineWeights.FromApplied(loaded.Model, applied), outDir, storage,
                new Dictionary<string, string> { ["rawedit.method"] = methodName, ["rawedit.edits"] = requestList.Count.ToString() });
            Console.WriteLine($"saved the edited model to {outDir}");
            SavePrecisionOutput.Print(saved);
            var check = SavedEditCheck.Run(loaded.Model, outDir, loaded.Tokenizer, requestList);
            SavePrecisionOutput.Print(check);
            if (parse.GetValue(report) is { } reportPath)
            {
                var json = JsonSerializer.SerializeToNode(figures)!.AsObject();
                json["save"] = SavePrecisionOutput.Json(saved);
                json["saved_model_check"] = SavePrecisionOutput.Json(check);
                AtomicFile.WriteAllText(reportPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Each request edited and applied in turn; the report lists one record per edit.</summary>
    private static object Rome(LoadedModel loaded, IReadOnlyList<EditRequest> requests, Options o, List<AppliedEdit> applied)
    {
        var mode = ParseMethod(o.Method);
        var h = EditSetup.RomeHparams(loaded, o.Hparams);
        var moment = EditSetup.SecondMoment(loaded, h, h.Layer, o.Stats);
        var contexts = EditSetup.RomeTemplates(loaded, h, o.Templates, o.Seed);
        var records = new List<object>();
        foreach (var request in requests)
        {
            var clock = Stopwatch.StartNew();
            var result = RomeEditor.Compute(loaded.Model, loaded.Tokenizer, request, contexts, h, mode, moment);
            applied.Add(result.Edit.ApplyTo(loaded.Model));
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
        return new
        {
            method = o.Method, model = loaded.Source, hparams = h, context_templates = contexts,
            second_moment = new { identity = moment.IsIdentity, tokens = moment.Tokens, documents = moment.Documents }, edits = records,
        };
    }

    /// <summary>All requests in one MEMIT, EMMET or AlphaEdit batch; the report gives |Δ| per edited layer and each request's z optimisation.</summary>
    private static object Batch(LoadedModel loaded, IReadOnlyList<EditRequest> requests, Options o, List<AppliedEdit> applied)
    {
        var clock = Stopwatch.StartNew();
        var contexts = EditSetup.MemitTemplates(loaded, o.Templates, o.Seed);
        var progress = new SynchronousProgress<EditProgress>(p =>
        {
            if (p.Stage != EditStage.TargetValues || p.Done % 100 == 0) Console.Error.WriteLine(p.Message);
        });
        MemitHyperParameters h;
        MemitResult result;
        object? methodFigures = null;
        Dictionary<int, SecondMoment>? moments = null;
        switch (o.Method)
        {
            case "emmet":
                var emmet = EditSetup.EmmetHparams(loaded, o.Hparams);
                moments = emmet.Layers.ToDictionary(l => l, l => EditSetup.SecondMoment(loaded, emmet, l, o.Stats));
                var emmetResult = EmmetEditor.Compute(loaded.Model, loaded.Tokenizer, requests, contexts, emmet, l => moments[l], progress);
                (h, result, methodFigures) = (emmet, emmetResult.Batch, new { pseudo_inverse_layers = emmetResult.PseudoInverseLayers });
                break;
            case "alphaedit":
                var alpha = EditSetup.AlphaEditHparams(loaded, o.Hparams);
                var projectors = alpha.Layers.ToDictionary(l => l, l => EditSetup.NullSpace(loaded, alpha, l, o.Stats, new SynchronousProgress<string>(Console.Error.WriteLine)));
                foreach (var p in projectors.Values)
                    Console.WriteLine($"layer {p.Layer}: null space of E[kkᵀ] below {p.Threshold:G3}: {p.Rank} of {p.Dimension} dimensions");
                result = AlphaEditEditor.Compute(loaded.Model, loaded.Tokenizer, requests, contexts, alpha, l => projectors[l], progress: progress);
                (h, methodFigures) = (alpha, new { nullspace_rank = projectors.ToDictionary(p => p.Key.ToString(), p => p.Value.Rank) });
                break;
            default:
                var memit = EditSetup.MemitHparams(loaded, o.Hparams);
                moments = memit.Layers.ToDictionary(l => l, l => EditSetup.SecondMoment(loaded, memit, l, o.Stats));
                (h, result) = (memit, MemitEditor.Compute(loaded.Model, loaded.Tokenizer, requests, contexts, memit, l => moments[l], progress));
                break;
        }
        applied.Add(result.Edit.ApplyTo(loaded.Model));
        double seconds = clock.Elapsed.TotalSeconds;
        foreach (var layer in result.Layers)
            Console.WriteLine($"layer {layer.Layer}: {layer.Delta.WeightName}  |Δ| {layer.Delta.NormalizedMagnitude:E3}  ‖ΔW‖_F {layer.Delta.Frobenius:G4}");
        Console.WriteLine($"{h.MethodName}: {requests.Count} requests in one batch over layers [{string.Join(", ", h.Layers)}] in {seconds:F1} s");
        return new
        {
            method = o.Method, model = loaded.Source, hparams = (object)h, context_templates = contexts, seconds,
            second_moment = moments?.ToDictionary(m => m.Key.ToString(), m => new { identity = m.Value.IsIdentity, tokens = m.Value.Tokens, documents = m.Value.Documents }),
            method_figures = methodFigures,
            layers = result.Layers.Select(l => new
            {
                layer = l.Layer, weight = l.Delta.WeightName, delta_magnitude = l.Delta.NormalizedMagnitude, delta_frobenius = l.Delta.Frobenius,
                residual_norm = l.Residuals.Average(r => Math.Sqrt(r.Sum(x => x * x))),
            }),
            edits = requests.Select((r, j) => new
            {
                case_id = r.CaseId, subject = r.Subject, prompt = r.Prompt, target_new = r.TargetNew,
                delta_norm = Math.Sqrt(result.Values[j].Delta.Sum(x => (double)x * x)), adam_steps = result.Values[j].AdamSteps,
                stop = result.Values[j].StopReason, loss_first = result.Values[j].LossTrace[0], loss_last = result.Values[j].LossTrace[^1],
            }),
        };
    }

    public static RomeMode ParseMethod(string method) => method switch
    {
        "rome" or "r-rome" or "p-rome" => EditSetup.ParseRomeMode(method),
        "memit" or "emmet" or "alphaedit" => throw new ArgumentException($"{method} edits a batch: use rawedit edit --method {method} (this command shows rome, r-rome or p-rome)"),
        "mend" => throw new ArgumentException("mend needs a trained editor: use rawedit edit --method mend --editor E (this command shows rome, r-rome or p-rome)"),
        _ => throw new ArgumentException($"unknown method '{method}' ({string.Join(", ", EditMethods.Names)})"),
    };
}
