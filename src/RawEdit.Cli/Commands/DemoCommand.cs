using System.CommandLine;
using System.Diagnostics;
using RawEdit.Editing;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Evaluation.World;
using RawEdit.Models;
using RawEdit.Models.Generation;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit demo</c>: on the embedded default model, a fact before, a ROME edit, then the edited prompt,
/// a paraphrase the model never saw in training, and an unrelated subject's fact, with timings.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var method = new Option<string>("--method") { Description = "rome | r-rome | p-rome", DefaultValueFactory = _ => "rome" };
        var caseIndex = new Option<int>("--case") { Description = "Which of the world's edit cases to show", DefaultValueFactory = _ => 0 };
        var command = new Command("demo", "Edit one fact of the embedded default model and show the effect") { method, caseIndex };
        command.SetAction(parse => CliErrors.Run(() => Run(EditCommand.ParseMethod(parse.GetValue(method)!), parse.GetValue(method)!, parse.GetValue(caseIndex))));
        return command;
    }

    private static int Run(RomeMode mode, string methodName, int caseIndex)
    {
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var loaded = ModelLocator.Load(TinyWorldPreset.Name);
        var world = FactWorld.Generate(TinyWorldPreset.World);
        var cases = world.ExportCounterFact(caseIndex + 1);
        if (caseIndex < 0 || caseIndex >= cases.Count) throw new ArgumentException($"--case must lie in [0, {cases.Count})");
        var record = cases[caseIndex];
        var rewrite = record.RequestedRewrite;
        var request = EditRequest.Create(rewrite.Prompt, rewrite.Subject, rewrite.TargetNew.Str, rewrite.TargetTrue.Str);
        var model = loaded.Model;
        Console.WriteLine($"RawEdit demo: default model '{TinyWorldPreset.Name}' ({model.Layers} layers × {model.Embedding}, GPT-2 vocabulary of {model.VocabSize}), loaded in {clock.Elapsed.TotalSeconds:F1} s");

        string paraphrase = record.ParaphrasePrompts[0];
        string neighbour = record.NeighborhoodPrompts[0];
        Console.WriteLine();
        Console.WriteLine("Before the edit:");
        Show(loaded, "fact", request.FilledPrompt, rewrite.TargetTrue.Str);

        clock.Restart();
        var h = EditSetup.RomeHparams(loaded, null);
        var moment = EditSetup.SecondMoment(loaded, h, h.Layer, null);
        var templates = EditSetup.RomeTemplates(loaded, h, null, seed: 0);
        double setup = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = RomeEditor.Compute(model, loaded.Tokenizer, request, templates, h, mode, moment);
        result.Edit.ApplyTo(model);
        Console.WriteLine();
        Console.WriteLine($"Edit ({methodName}, layer {h.Layer}, {templates.Count} context templates): \"{request.FilledPrompt}\" → \"{request.TargetNew}\"");
        Console.WriteLine($"  value optimisation: loss {result.Value.LossTrace[0]:F3} → {result.Value.LossTrace[^1]:F3} in {result.Value.AdamSteps} Adam steps; |Δ| = {result.Edit.NormalizedMagnitude:E2}");
        Console.WriteLine($"  took {clock.Elapsed.TotalSeconds:F1} s (templates and statistics {setup:F1} s)");

        Console.WriteLine();
        Console.WriteLine("After the edit:");
        Show(loaded, "fact", request.FilledPrompt, request.TargetNew);
        Show(loaded, "paraphrase", paraphrase, request.TargetNew);
        Show(loaded, "other subject", neighbour, rewrite.TargetTrue.Str);
        Console.WriteLine();
        Console.WriteLine($"Total {total.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>Greedy continuation of a prompt, up to the end of its sentence, marked by whether it names the expected object.</summary>
    private static void Show(LoadedModel loaded, string label, string prompt, string expected)
    {
        var ids = loaded.Tokenizer.Encode(prompt);
        var continuation = loaded.Tokenizer.Decode(TextGenerator.Generate(loaded.Model, [ids], new GenerationOptions(MaxNewTokens: 6))[0]);
        int end = continuation.IndexOfAny(['.', '\n']);
        string said = (end >= 0 ? continuation[..end] : continuation).Trim();
        string mark = said.StartsWith(expected, StringComparison.Ordinal) ? "✓" : "✗";
        Console.WriteLine($"  {label,-14} {prompt} … {said}   ({mark} expected {expected})");
    }
}
