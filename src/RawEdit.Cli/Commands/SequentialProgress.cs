using System.Diagnostics;
using RawEdit.Evaluation.Sequential;
using Spectre.Console;

namespace RawEdit.Cli.Commands;

/// <summary>A live progress bar with edits/s and the time left, or one line per edit when output is redirected.</summary>
internal static class SequentialProgress
{
    public static RunOutcome Run(SequentialRunner runner, int total, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        int? firstDone = null;
        string Rate(RunProgress p)
        {
            // Edits made by this process: a resumed run's replayed edits do not count towards the rate.
            firstDone ??= p.Phase == "editing" ? p.Done - 1 : p.Done;
            int made = p.Done - firstDone.Value;
            double perSecond = made / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            string eta = made > 0 ? TimeSpan.FromSeconds((p.Total - p.Done) / perSecond).ToString(@"hh\:mm\:ss") : "--:--:--";
            return $"{perSecond:F2} edits/s, ETA {eta}";
        }
        static string Figures(EditEntry? e) => e is null ? "" :
            $"ES {e.Measurement.ES:F2} |Δ| {EditedWeights.Largest(e.Measurement.EditMagnitude):E2} H {e.Measurement.NormalizedEntropy:F2}" +
            (e.Guard is { Disabling: true } ? (e.Applied ? " FLAGGED" : " REFUSED") : "");

        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return runner.Run(new SynchronousProgress<RunProgress>(p =>
                Console.WriteLine(p.Phase == "evaluating" ? $"evaluating after {p.Done} edits"
                    : $"edit {p.Done}/{p.Total} case {p.Last!.CaseId}: {Figures(p.Last)}  {p.Last.Seconds:F1} s  {Rate(p)}")), cancel);

        RunOutcome? outcome = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: total);
                outcome = runner.Run(new SynchronousProgress<RunProgress>(p =>
                {
                    task.Value = p.Done;
                    string stopping = cancel.IsCancellationRequested ? " [yellow]stopping after this edit[/]" : "";
                    task.Description = Markup.Escape(p.Phase == "evaluating" ? $"evaluating after {p.Done} edits" : $"{Figures(p.Last)}  {Rate(p)}") + stopping;
                }), cancel);
            });
        return outcome!;
    }
}
