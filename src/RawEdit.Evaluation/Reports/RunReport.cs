using System.Globalization;
using System.Net;
using System.Text;
using RawEdit.Evaluation.Sequential;
using RawEdit.Evaluation.Tracing;

namespace RawEdit.Evaluation.Reports;

/// <summary>
/// One self-contained HTML page (inline SVG, no scripts, no external files) for one or more sequential runs:
/// a summary table, |Δ| per edit on a log scale, ES/PS/NS over edits, forgetting of earlier edits, probe
/// entropy and fluency, downstream scores, what the disabling-edit guard caught and the largest edits.
/// Several runs (e.g. rome and r-rome on the same data and seed) share every chart.
/// </summary>
internal static class RunReport
{
    /// <param name="runs">The runs, sharing every chart.</param>
    /// <param name="trace">The edited model's causal trace (<c>rawedit trace --data … --json</c>): where the edit layer came from.</param>
    public static string Render(IReadOnlyList<RunData> runs, (string Model, TraceAverage Average)? trace = null)
    {
        if (runs.Count == 0) throw new ArgumentException("a report needs at least one run");
        var html = HtmlPage.Open("RawEdit sequential editing report");
        html.Append("<h1>Sequential editing report</h1>");
        foreach (var run in runs)
            html.Append($"<p class=\"note\"><b>{E(run.Label)}</b>: model <code>{E(run.Settings.Model)}</code>, data <code>{E(Path.GetFileName(run.Settings.Data))}</code>, " +
                        $"{run.Edits.Count} of {run.Settings.Edits} edits, evaluation every {run.Settings.EvalEvery}, seed {run.Settings.Seed}, guard {run.Settings.Guard.Mode.ToString().ToLowerInvariant()}</p>");
        html.Append("<h2>Summary</h2>").Append(SummaryTable(runs));
        if (trace is var (traced, average))
            html.Append($"<h2>Causal trace of <code>{E(traced)}</code>: where the edit layer comes from</h2>")
                .Append($"<p class=\"note\">Average indirect effect over {average.Prompts} known prompts (ROME's Figure 2).</p>")
                .Append(TraceReport.AverageSection(average));

        html.Append("<h2>Edit magnitude and distance from the original weights</h2><div class=\"charts\">");
        html.Append(Chart("|Δ| of each edit (‖ΔW‖_F / numel)", "|Δ|", runs, r => r.Edits.Select(e => ((double)e.Index + 1, RunData.Magnitude(e))), logY: true, dots: true));
        html.Append(Chart("Distance from the original (‖W − W₀‖_F / numel)", "distance", runs, r => r.Edits.Select(e => ((double)e.Index + 1, RunData.Distance(e))), logY: true));
        html.Append("</div>");

        html.Append("<h2>Scores of each edit right after it</h2><div class=\"charts\">");
        foreach (var (name, pick) in new (string, Func<EditMeasurement, double>)[] { ("ES", m => m.ES), ("PS", m => m.PS), ("NS", m => m.NS) })
            html.Append(Chart($"{name} (moving average)", name, runs, r => Smooth(r.Edits.Select(e => ((double)e.Index + 1, pick(e.Measurement)))), yMin: 0, yMax: 1));
        html.Append("</div>");

        html.Append("<h2>Forgetting: earlier edits re-scored</h2><div class=\"charts\">");
        html.Append(Chart("ES of all earlier edits (%)", "ES %", runs, r => r.Evaluations.Where(v => v.Forgetting is not null).Select(v => ((double)v.AfterEdits, v.Forgetting!.ES)), yMin: 0, yMax: 100));
        var forgotten = runs.SelectMany((r, i) => new[]
        {
            new ChartSeries($"{r.Label} now", r.Evaluations.Where(v => v.Forgetting is { Learnt: > 0 })
                .Select(v => ((double)v.AfterEdits, 100.0 * v.Forgetting!.Forgotten / v.Forgetting.Learnt)).ToList(), SvgChart.Palette[i % SvgChart.Palette.Length]),
            new ChartSeries($"{r.Label} ever", r.EverForgotten().ToList(), SvgChart.Palette[i % SvgChart.Palette.Length], Dashed: true),
        }).ToList();
        html.Append(new SvgChart("Learnt edits forgotten (%)", "edits", "forgotten %", forgotten, YMin: 0).Render());
        html.Append("</div>");

        html.Append("<h2>Generation after each edit</h2><div class=\"charts\">");
        html.Append(Chart("Normalised unigram entropy of the probe texts", "entropy", runs, r => r.Edits.Select(e => ((double)e.Index + 1, e.Measurement.NormalizedEntropy)), yMin: 0, yMax: 1, dots: true));
        html.Append(Chart("n-gram fluency (ROME's H₂/3 + 2H₃/3, bits)", "fluency", runs, r => r.Edits.Select(e => ((double)e.Index + 1, e.Measurement.NgramFluency)), yMin: 0, dots: true));
        html.Append("</div>");

        html.Append("<h2>Downstream tasks</h2>");
        if (runs.All(r => r.Evaluations.All(v => v.Downstream is null)))
            html.Append("<p class=\"note\">No downstream evaluation in these runs (run with --glue DIR).</p>");
        else
        {
            html.Append("<div class=\"charts\">");
            foreach (var (metric, pick) in new (string, Func<Downstream.ClassificationScores, double>)[] { ("accuracy", s => s.Accuracy), ("weighted F1", s => s.F1), ("MCC", s => s.Mcc) })
                html.Append(DownstreamChart(metric, runs, pick));
            html.Append("</div>").Append(DownstreamTable(runs));
        }

        var diagnosed = runs.Where(RomeDiagnosisSection.Applies).ToList();
        if (diagnosed.Count > 0)
        {
            html.Append("<h2>Diagnosis: why each ROME mode's edits are the size they are</h2>");
            foreach (var run in diagnosed) html.Append(RomeDiagnosisSection.Render(run));
        }

        html.Append("<h2>Disabling-edit guard</h2>").Append(GuardTable(runs));
        html.Append("<h2>Largest edits</h2>").Append(LargestEdits(runs));
        return HtmlPage.Close(html);
    }

    private static string SummaryTable(IReadOnlyList<RunData> runs)
    {
        var rows = new List<(string Name, Func<RunData, string> Value)>
        {
            ("edits made", r => r.Edits.Count.ToString()),
            ("applied", r => r.Edits.Count(e => e.Applied).ToString()),
            ("flagged / refused by the guard", r => $"{r.Edits.Count(e => e.Guard is { Disabling: true } && e.Applied)} / {r.Edits.Count(e => !e.Applied)}"),
            ("mean ES / PS / NS right after each edit", r => $"{Fixed(Mean(r, m => m.ES))} / {Fixed(Mean(r, m => m.PS))} / {Fixed(Mean(r, m => m.NS))}"),
            ("median |Δ| of an edit", r => Sci(Median(r.Edits.Select(RunData.Magnitude)))),
            ("largest |Δ| (edit)", r => r.Edits.Count == 0 ? "–" : $"{Sci(r.Edits.Max(RunData.Magnitude))} (#{r.Edits.MaxBy(RunData.Magnitude)!.Index + 1})"),
            ("edits with |Δ| > 10× the median", r => r.Edits.Count(e => RunData.Magnitude(e) > 10 * Median(r.Edits.Select(RunData.Magnitude))).ToString()),
            ("final distance from the original", r => r.Edits.Count == 0 ? "–" : Sci(RunData.Distance(r.Edits[^1]))),
            ("lowest probe entropy (edit)", r => r.Edits.Count == 0 ? "–" : $"{r.Edits.Min(e => e.Measurement.NormalizedEntropy):F3} (#{r.Edits.MinBy(e => e.Measurement.NormalizedEntropy)!.Index + 1})"),
            ("mean fluency", r => Fixed(Mean(r, m => m.NgramFluency))),
            ("last re-score: ES / PS / NS of earlier edits (%)", r => r.Evaluations.LastOrDefault(v => v.Forgetting is not null)?.Forgetting is { } f ? $"{f.ES:F1} / {f.PS:F1} / {f.NS:F1} (after {f.Edits})" : "–"),
            ("last re-score: learnt / forgotten", r => r.Evaluations.LastOrDefault(v => v.Forgetting is not null)?.Forgetting is { } f ? $"{f.Learnt} / {f.Forgotten}" : "–"),
            ("mean seconds per edit (method share)", r => r.Edits.Count == 0 ? "–" : $"{r.Edits.Average(e => e.Seconds):F2} ({r.Edits.Average(e => e.ComputeSeconds):F2})"),
        };
        var table = new StringBuilder("<table><tr><th class=\"l\"></th>");
        foreach (var run in runs) table.Append($"<th>{E(run.Label)}</th>");
        table.Append("</tr>");
        foreach (var (name, value) in rows)
        {
            table.Append($"<tr><td class=\"l\">{E(name)}</td>");
            foreach (var run in runs) table.Append($"<td>{E(value(run))}</td>");
            table.Append("</tr>");
        }
        return table.Append("</table>").ToString();
    }

    private static string DownstreamChart(string metric, IReadOnlyList<RunData> runs, Func<Downstream.ClassificationScores, double> pick)
    {
        var tasks = runs.SelectMany(r => r.Evaluations).Where(v => v.Downstream is not null).SelectMany(v => v.Downstream!.Keys).Distinct().ToList();
        var series = new List<ChartSeries>();
        foreach (var (run, r) in runs.Select((run, r) => (run, r)))
            foreach (var (task, t) in tasks.Select((task, t) => (task, t)))
                series.Add(new ChartSeries(runs.Count > 1 ? $"{run.Settings.Method} {task}" : task,
                    run.Evaluations.Where(v => v.Downstream?.ContainsKey(task) == true).Select(v => ((double)v.AfterEdits, pick(v.Downstream![task]))).ToList(),
                    SvgChart.Palette[t % SvgChart.Palette.Length], Dashed: r > 0));
        return new SvgChart($"Downstream {metric}", "edits", metric, series, YMin: metric == "MCC" ? -1 : 0, YMax: 1).Render();
    }

    private static string DownstreamTable(IReadOnlyList<RunData> runs)
    {
        var table = new StringBuilder("<table><tr><th class=\"l\">run</th><th>after edits</th><th class=\"l\">task</th><th>correct</th><th>invalid</th><th>accuracy</th><th>weighted F1</th><th>MCC</th></tr>");
        foreach (var run in runs)
        {
            var withTasks = run.Evaluations.Where(v => v.Downstream is not null).ToList();
            foreach (var v in withTasks.Take(1).Concat(withTasks.Skip(1).TakeLast(1)))
                foreach (var (task, s) in v.Downstream!)
                    table.Append($"<tr><td class=\"l\">{E(run.Label)}</td><td>{v.AfterEdits}</td><td class=\"l\">{task}</td><td>{s.Correct}/{s.Total}</td><td>{s.Invalid}</td>" +
                                 $"<td>{s.Accuracy:F3}</td><td>{s.F1:F3}</td><td>{s.Mcc:F3}</td></tr>");
        }
        return table.Append("</table><p class=\"note\">First and last downstream evaluation of each run.</p>").ToString();
    }

    private static string GuardTable(IReadOnlyList<RunData> runs)
    {
        var caught = runs.SelectMany(r => r.Edits.Where(e => e.Guard is { Disabling: true }).Select(e => (Run: r, Edit: e))).ToList();
        if (runs.All(r => r.Settings.Guard.Mode == GuardMode.Off)) return "<p class=\"note\">The guard was off in these runs (--guard flag|refuse).</p>";
        if (caught.Count == 0) return "<p class=\"note\">The guard predicted no disabling edit.</p>";
        var table = new StringBuilder("<table><tr><th class=\"l\">run</th><th>edit</th><th class=\"l\">case</th><th class=\"l\">action</th><th class=\"l\">reason</th><th>|Δ|</th><th>entropy</th><th class=\"l\">probe text</th></tr>");
        foreach (var (run, e) in caught)
            table.Append($"<tr><td class=\"l\">{E(run.Label)}</td><td>{e.Index + 1}</td><td class=\"l wrap\">{E(e.CaseId)}: {E(e.Prompt)} → {E(e.TargetNew)}</td>" +
                         $"<td class=\"l\">{(e.Applied ? "flagged" : "refused")}</td><td class=\"l\">{E(e.Guard!.Reason)}</td><td>{Sci(RunData.Magnitude(e))}</td>" +
                         $"<td>{e.Measurement.NormalizedEntropy:F3}</td><td class=\"text\">{E(e.Measurement.ProbeTexts.FirstOrDefault() ?? "")}</td></tr>");
        return table.Append("</table>").ToString();
    }

    private static string LargestEdits(IReadOnlyList<RunData> runs)
    {
        var table = new StringBuilder("<table><tr><th class=\"l\">run</th><th>edit</th><th class=\"l\">case</th><th>|Δ|</th><th>× median</th><th>ES</th><th>entropy</th><th class=\"l\">probe text after the edit</th></tr>");
        foreach (var run in runs)
        {
            double median = Median(run.Edits.Select(RunData.Magnitude));
            foreach (var e in run.Edits.OrderByDescending(RunData.Magnitude).Take(5))
                table.Append($"<tr><td class=\"l\">{E(run.Label)}</td><td>{e.Index + 1}</td><td class=\"l wrap\">{E(e.CaseId)}: {E(e.Prompt)} → {E(e.TargetNew)}</td><td>{Sci(RunData.Magnitude(e))}</td>" +
                             $"<td>{RunData.Magnitude(e) / median:F1}</td><td>{e.Measurement.ES:F2}</td><td>{e.Measurement.NormalizedEntropy:F3}</td><td class=\"text\">{E(e.Measurement.ProbeTexts.FirstOrDefault() ?? "")}</td></tr>");
        }
        return table.Append("</table>").ToString();
    }

    private static string Chart(string title, string yLabel, IReadOnlyList<RunData> runs, Func<RunData, IEnumerable<(double X, double Y)>> points,
        bool logY = false, double? yMin = null, double? yMax = null, bool dots = false) =>
        new SvgChart(title, "edits", yLabel, runs.Select((r, i) => new ChartSeries(r.Label, points(r).ToList(), SvgChart.Palette[i % SvgChart.Palette.Length], dots)).ToList(),
            logY, yMin, yMax).Render();

    /// <summary>Trailing moving average over a window of about 2% of the points (at least 1), NaN values skipped.</summary>
    private static IEnumerable<(double X, double Y)> Smooth(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        int window = Math.Max(1, list.Count / 50);
        for (int i = 0; i < list.Count; i++)
        {
            var span = list.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Select(p => p.Y).Where(double.IsFinite).ToList();
            yield return (list[i].X, span.Count == 0 ? double.NaN : span.Average());
        }
    }

    private static double Mean(RunData run, Func<EditMeasurement, double> pick)
    {
        var values = run.Edits.Select(e => pick(e.Measurement)).Where(double.IsFinite).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    private static double Median(IEnumerable<double> values) => ReportNumbers.Median(values);

    private static string Fixed(double v) => ReportNumbers.Fixed(v);

    private static string Sci(double v) => ReportNumbers.Sci(v);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
