using System.Text.Json;
using RawEdit.Editing;
using RawEdit.Editing.Mend;
using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Mend;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>What the MEND commands share: hyperparameter defaults and the held-out single-edit evaluation.</summary>
internal static class MendSetup
{
    /// <summary>--hparams over the model's defaults (a shipped model's CPU preset, else upstream's values).</summary>
    public static MendHyperParameters Hparams(LoadedModel loaded, string? path)
    {
        var defaults = ShippedModels.Of(loaded)?.Mend ?? new MendHyperParameters();
        return path is null ? defaults : MendHyperParameters.Load(path, defaults);
    }

    public sealed record HeldOutScores(CounterFactScores Unedited, CounterFactScores Edited, double SecondsPerEdit);

    /// <summary>ES/PS/NS of the unedited model and, case by case, of the model edited by MEND for that case alone.</summary>
    public static HeldOutScores Evaluate(LoadedModel loaded, MendEditor editor, IReadOnlyList<EditCase> cases)
    {
        var unedited = new CounterFactEvaluator(loaded.Model, loaded.Tokenizer).Evaluate(cases).Scores;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var edited = EditEachCase.Evaluate(loaded.Model, loaded.Tokenizer, cases, c =>
        {
            var applied = editor.Compute(loaded.Model, MendCases.Edit(loaded.Tokenizer, c)).ApplyTo(loaded.Model);
            return applied.Revert;
        }, Progress(cases.Count)).Scores;
        return new HeldOutScores(unedited, edited, clock.Elapsed.TotalSeconds / Math.Max(1, cases.Count));
    }

    public static void Print(HeldOutScores s, int cases)
    {
        Console.WriteLine($"held-out single edits ({cases} cases, {s.SecondsPerEdit:F2} s per edit and score):");
        Console.WriteLine($"  {"",-10}{"ES",8}{"PS",8}{"NS",8}{"S",8}");
        Console.WriteLine($"  {"unedited",-10}{s.Unedited.ES,8:F2}{s.Unedited.PS,8:F2}{s.Unedited.NS,8:F2}{s.Unedited.S,8:F2}");
        Console.WriteLine($"  {"MEND",-10}{s.Edited.ES,8:F2}{s.Edited.PS,8:F2}{s.Edited.NS,8:F2}{s.Edited.S,8:F2}");
    }

    public static object Json(HeldOutScores s) => new { unedited = s.Unedited, mend = s.Edited, seconds_per_edit = s.SecondsPerEdit };

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static IProgress<int>? Progress(int total) => Console.IsErrorRedirected ? null : new SynchronousProgress<int>(done =>
        Console.Error.Write(done < total ? $"\redited and scored {done}/{total} cases" : "\r" + new string(' ', 48) + "\r"));
}
