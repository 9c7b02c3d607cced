using System.CommandLine;
using RawEdit.Editing.Mend;
using RawEdit.Evaluation.Datasets;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit mend-eval --model M --editor E --data F [--part held-out|all] [--limit N] [--json]</c>: single MEND edits,
/// each case edited alone, scored and reverted; ES/PS/NS before and after.
/// </summary>
internal static class MendEvalCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var editor = new Option<string>("--editor") { Description = "A MEND editor (folder from mend-train, or its editor.safetensors)", Required = true };
        var data = new Option<string>("--data") { Description = "Edit cases (CounterFact or zsRE form)", Required = true };
        var part = new Option<string>("--part") { Description = "held-out (the cases mend-train does not train on) or all", DefaultValueFactory = _ => "held-out" };
        var limit = new Option<int?>("--limit") { Description = "Score at most N cases" };
        var json = new Option<bool>("--json") { Description = "End the output with one line of JSON holding the scores" };
        var command = new Command("mend-eval", "Score single MEND edits on held-out edit cases") { model, editor, data, part, limit, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(limit) is <= 0) throw new ArgumentException("--limit must be a positive number of cases");
            var cases = EditCaseReader.ReadFile(parse.GetValue(data)!).Cases;
            var selected = parse.GetValue(part) switch
            {
                "held-out" => CaseSplit.Select(cases, CasePart.HeldOut),
                "all" => cases,
                var other => throw new ArgumentException($"--part must be held-out or all, got '{other}'"),
            };
            selected = selected.Take(parse.GetValue(limit) ?? int.MaxValue).ToList();
            if (selected.Count == 0) throw new ArgumentException("no cases to score");
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var scores = MendSetup.Evaluate(loaded, MendEditorFile.Load(parse.GetValue(editor)!, loaded.Model), selected);
            MendSetup.Print(scores, selected.Count);
            if (parse.GetValue(json)) Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(MendSetup.Json(scores)));
            return 0;
        }));
        return command;
    }
}
