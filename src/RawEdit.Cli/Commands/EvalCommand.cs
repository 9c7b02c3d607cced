using System.CommandLine;
using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Zsre;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit eval --model M [--dataset counterfact|zsre] --data F [--limit N] [--json]</c>: the literature's
/// CounterFact (ES, PS, NS, S, EM, PM, NM) or zsRE (efficacy, paraphrase, specificity) scores of a model.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var dataset = new Option<string?>("--dataset")
        {
            Description = "Metrics to compute: counterfact or zsre (default: the one that matches the file's form)",
        };
        var data = new Option<string>("--data")
        {
            Description = "Dataset JSON: upstream CounterFact, flat EasyEdit CounterFact or MEND zsRE (detected)",
            Required = true,
        };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N records" };
        var json = new Option<bool>("--json") { Description = "End the output with one line of JSON holding the scores" };
        var command = new Command("eval", "Score a model on CounterFact or zsRE records") { model, dataset, data, limit, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var kind = ParseKind(parse.GetValue(dataset));
            int? count = parse.GetValue(limit);
            if (count is <= 0) throw new ArgumentException($"--limit must be a positive number of records, got {count}");
            var cases = EditCaseReader.ReadFile(parse.GetValue(data)!, count);
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var report = Evaluate(loaded, cases, kind ?? cases.NaturalKind);
            report.WriteTable(Console.Out, Path.GetFileName(parse.GetValue(data)!), loaded.Source);
            if (parse.GetValue(json)) report.WriteJson(Console.Out);
            return 0;
        }));
        return command;
    }

    private static DatasetKind? ParseKind(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "counterfact" => DatasetKind.CounterFact,
        "zsre" => DatasetKind.Zsre,
        _ => throw new ArgumentException($"--dataset must be counterfact or zsre, got '{value}'"),
    };

    private static EvalReport Evaluate(LoadedModel loaded, EditDataset dataset, DatasetKind kind)
    {
        var progress = ProgressLine(dataset.Cases.Count);
        if (kind == DatasetKind.Zsre)
        {
            var z = new ZsreEvaluator(loaded.Model, loaded.Tokenizer).Evaluate(dataset.Cases, progress).Scores;
            return new EvalReport("zsre", dataset.Form, z.Records,
            [
                new("efficacy", "Efficacy (rewrite token accuracy)", z.Efficacy),
                new("paraphrase", "Paraphrase (token accuracy)", z.Paraphrase),
                new("specificity", "Specificity (neighbourhood token accuracy)", z.Specificity),
                new("S", "Score (harmonic mean)", z.S),
            ]);
        }
        var c = new CounterFactEvaluator(loaded.Model, loaded.Tokenizer).Evaluate(dataset.Cases, progress).Scores;
        return new EvalReport("counterfact", dataset.Form, c.Records,
        [
            new("ES", "Efficacy success", c.ES),
            new("PS", "Paraphrase success", c.PS),
            new("NS", "Neighbourhood success", c.NS),
            new("S", "Score (harmonic mean of ES, PS, NS)", c.S),
            new("EM", "Efficacy magnitude", c.EM),
            new("PM", "Paraphrase magnitude", c.PM),
            new("NM", "Neighbourhood magnitude", c.NM),
            new("rewrite_acc", "Rewrite accuracy (all tokens argmax)", c.RewriteAccuracy),
            new("paraphrase_acc", "Paraphrase accuracy", c.ParaphraseAccuracy),
            new("neighborhood_acc", "Neighbourhood accuracy", c.NeighborhoodAccuracy),
        ]);
    }

    /// <summary>"scored k/n records" on an interactive stderr; nothing when stderr is redirected.</summary>
    private static IProgress<int>? ProgressLine(int total)
    {
        if (Console.IsErrorRedirected) return null;
        return new SynchronousProgress<int>(done =>
            Console.Error.Write(done < total ? $"\rscored {done}/{total} records" : "\r" + new string(' ', 40) + "\r"));
    }
}
