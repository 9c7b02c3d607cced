using System.CommandLine;
using System.Globalization;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Reports;
using RawEdit.Evaluation.Tracing;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit trace --model M (--prompt P --subject S [--target T] | --data F [--limit N]) [--samples 10] [--window 10]
/// [--noise σ] [--seed 1] [--json FILE] [--html FILE]</c>: ROME's causal tracing. One prompt prints the indirect effect
/// per token and layer for hidden states, MLP and attention; a dataset prints the effect averaged per token role and the
/// layer where the MLP trace peaks at the last subject token (ROME's edit layer).
/// </summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = new Option<string?>("--prompt") { Description = "The prompt whose next token is traced (with --subject)" };
        var subject = new Option<string?>("--subject") { Description = "The subject in the prompt whose token embeddings are corrupted" };
        var target = new Option<string?>("--target") { Description = "Trace p of this answer's first token (e.g. \" Paris\"); default: the model's prediction" };
        var data = new Option<string?>("--data") { Description = "CounterFact JSON: average over the rewrite prompts the model gets right" };
        var limit = new Option<int?>("--limit") { Description = "With --data: trace only the first N records" };
        var samples = new Option<int>("--samples") { Description = "Noise draws averaged per trace", DefaultValueFactory = _ => 10 };
        var window = new Option<int>("--window") { Description = "Layers restored together for MLP and attention", DefaultValueFactory = _ => 10 };
        var noise = new Option<double?>("--noise") { Description = "Noise standard deviation (default: 3 × the std of the subjects' token embeddings)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the noise", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Write the traces (and average) as JSON to this file" };
        var html = new Option<string?>("--html") { Description = "Write an HTML page with the heat maps (and averaged curves) to this file" };
        var command = new Command("trace", "Causal tracing (ROME): which hidden states carry a fact, per token and layer")
            { model, prompt, subject, target, data, limit, samples, window, noise, seed, json, html };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = new TraceSettings(parse.GetValue(samples), parse.GetValue(window), parse.GetValue(seed), parse.GetValue(noise));
            settings.Validate();
            string? dataPath = parse.GetValue(data), promptText = parse.GetValue(prompt), subjectText = parse.GetValue(subject);
            if ((dataPath is null) == (promptText is null))
                throw new ArgumentException("give either --prompt with --subject, or --data");
            if (promptText is not null && subjectText is null) throw new ArgumentException("--prompt needs --subject");
            if (dataPath is not null && (subjectText is not null || parse.GetValue(target) is not null))
                throw new ArgumentException("--subject and --target go with --prompt, not with --data");
            if (parse.GetValue(limit) is <= 0) throw new ArgumentException($"--limit must be a positive number of records, got {parse.GetValue(limit)}");

            var cases = dataPath is null ? null : EditCaseReader.ReadFile(dataPath, parse.GetValue(limit)).Cases;
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var (scale, scaleSource) = NoiseScale(loaded, settings, cases?.Select(c => c.Subject) ?? [subjectText!]);
            Console.Out.WriteLine($"noise σ = {scale.ToString("G4", CultureInfo.InvariantCulture)} ({scaleSource}), {settings.Samples} samples, seed {settings.Seed}, window {settings.Window}");
            var session = new TraceSession(loaded.Model, loaded.Tokenizer, settings, scale);

            IReadOnlyList<CausalTrace> traces;
            TraceAverage? average = null;
            if (cases is null)
            {
                var trace = session.TracePrompt(promptText!, subjectText!, parse.GetValue(target));
                TraceTables.WriteTrace(Console.Out, trace);
                traces = [trace];
            }
            else
            {
                (average, traces, int unknown) = session.Average(cases, loaded.Model.Layers, Progress);
                Console.Error.Write("\r" + new string(' ', 40) + "\r");
                Console.Out.WriteLine($"{average.Prompts} of {cases.Count} prompts known (clean prediction = first token of the true answer), {unknown} skipped");
                if (average.Prompts == 0) throw new InvalidOperationException("the model knows none of the facts: nothing to average");
                TraceTables.WriteAverage(Console.Out, average, loaded.Model.Layers);
            }
            if (parse.GetValue(json) is { } jsonPath) AtomicFile.WriteAllText(jsonPath, TraceJson.Render(parse.GetValue(model)!, traces, average));
            if (parse.GetValue(html) is { } htmlPath) AtomicFile.WriteAllText(htmlPath, TraceReport.Render(parse.GetValue(model)!, traces.Take(HeatMapPrompts).ToList(), average));
            return 0;
        }));
        return command;
    }

    /// <summary>Prompts an averaged run draws heat maps of in its HTML page.</summary>
    private const int HeatMapPrompts = 5;

    private static void Progress(int done, int total)
    {
        if (!Console.IsErrorRedirected) Console.Error.Write($"\rtraced {done}/{total} prompts");
    }

    /// <summary>--noise, or 3σ over the subjects of the traced data (one prompt: of the model's counterfact.json when it ships one).</summary>
    private static (double Scale, string Source) NoiseScale(LoadedModel loaded, TraceSettings settings, IEnumerable<string> subjects)
    {
        if (settings.NoiseScale is { } given) return (given, "--noise");
        var list = subjects.ToList();
        string source = $"3 × std of the token embeddings of {list.Count} subject(s) traced";
        string shipped = Path.Combine(loaded.Source, "counterfact.json");
        if (list.Count == 1 && File.Exists(shipped))
        {
            list = EditCaseReader.ReadFile(shipped).Cases.Select(c => c.Subject).ToList();
            source = $"3 × std of the token embeddings of the {list.Count} subjects in the model's counterfact.json";
        }
        return (TraceNoise.StdMultiple * TraceNoise.EmbeddingStd(loaded.Model, loaded.Tokenizer, list), source);
    }
}
