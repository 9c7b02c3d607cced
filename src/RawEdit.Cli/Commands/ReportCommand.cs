using System.CommandLine;
using RawEdit.Evaluation.Reports;
using RawEdit.Evaluation.Tracing;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary><c>rawedit report RUN [RUN…] [--out FILE] [--trace TRACE.json]</c>: one self-contained HTML page of one or more sequential runs (default RUN/report.html).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("RUN") { Description = "Run folders made by rawedit sequential (several share the charts)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "HTML file to write (default: the first run's report.html)" };
        var trace = new Option<string?>("--trace") { Description = "Add a causal trace average (rawedit trace --data … --json FILE) of the edited model" };
        var command = new Command("report", "Write an HTML report with plots of sequential editing runs") { runs, output, trace };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var folders = parse.GetValue(runs)!;
            var data = folders.Select(RunData.Load).ToList();
            string path = parse.GetValue(output) ?? Path.Combine(folders[0], "report.html");
            (string Model, TraceAverage Average)? traced = null;
            if (parse.GetValue(trace) is { } tracePath) traced = TraceJson.ReadAverage(tracePath);
            AtomicFile.WriteAllText(path, RunReport.Render(data, traced));
            Console.WriteLine($"wrote {Path.GetFullPath(path)} ({string.Join(", ", data.Select(d => $"{d.Label}: {d.Edits.Count} edits"))})");
            return 0;
        }));
        return command;
    }
}
