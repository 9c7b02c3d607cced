using System.Net;
using System.Text;
using RawEdit.Evaluation.Sequential;

namespace RawEdit.Evaluation.Reports;

/// <summary>
/// The report's diagnosis of one ROME-mode run (rome, r-rome, p-rome) from the journal's method figures
/// (<c>RomeDiagnosis</c>): why |Δ| is what it is. With ‖u‖ = 1, |Δ| = ‖r‖ / numel and
///   ‖r‖ = numerator / |denominator|,  numerator = ‖v* − v_current‖,  denominator = u·k (k = k_s for rome and p-rome, k̄ for r-rome),
/// so a growing |Δ| is either a growing numerator or a shrinking denominator; the charts and the table show which.
/// </summary>
internal static class RomeDiagnosisSection
{
    private static readonly HashSet<string> RomeMethods = ["rome", "r-rome", "p-rome"];

    /// <summary>Runs made by a ROME mode whose journal carries the diagnosis figures (older journals do not).</summary>
    public static bool Applies(RunData run) => RomeMethods.Contains(run.Settings.Method) && run.Edits.Count > 0 && run.Edits.All(e => e.MethodFigures.ContainsKey("u_dot_k_bar"));

    /// <summary>The run's hparams ResidualValue (1: prompt, 2: averaged) when it overrides the mode's own; null for the published modes.</summary>
    public static int? ResidualValueOverride(RunData run) =>
        run.Settings.MethodSettings["hparams"]?["ResidualValue"] is { } node && node.GetValue<int>() is var v and not 0 ? v : null;

    public static double Figure(EditEntry e, string name) => e.MethodFigures.TryGetValue(name, out double v) ? v : double.NaN;

    public static string Render(RunData run)
    {
        var html = new StringBuilder($"<h3>{E(run.Label)}</h3>");
        if (ResidualValueOverride(run) is { } value)
            html.Append($"<p class=\"note\"><b>Diagnosis run</b>: the numerator subtracts the {(value == 1 ? "unprefixed prompt's value v_s" : "prefix-averaged value v̄")} " +
                        "instead of the mode's own (hparams residual_value); the denominator is the mode's.</p>");
        html.Append("<p class=\"note\">u = C⁻¹k̃/‖C⁻¹k̃‖; denominator u·k_s (rome, p-rome) or u·k̄ (r-rome); numerator ‖v* − v_current‖ with v* = v_s + δ and " +
                    "v_current = v_s (rome, p-rome) or v̄ (r-rome), so r-rome's numerator is δ + (v_s − v̄) and its value shift ‖v_s − v̄‖ = ‖W(k_s − k̄)‖. " +
                    "Miss at k: ‖(W + ΔW)k − v*‖ after the edit.</p>");
        html.Append("<div class=\"charts\">");
        html.Append(DenominatorHistogram(run));
        html.Append(Scatter(run, "|Δ| against the denominator", "|denominator|", e => Math.Abs(Figure(e, "denominator"))));
        html.Append(Scatter(run, "|Δ| against the numerator", "numerator ‖v* − v_current‖", e => Figure(e, "residual_norm")));
        html.Append(OverEdits(run, "Numerator terms and denominator over edits", true,
            ("numerator", "residual_norm"), ("‖δ‖", "delta_norm"), ("‖v_s − v̄‖", "value_shift"), ("|denominator|", "denominator")));
        html.Append(OverEdits(run, "Miss after the edit", true, ("at k_s", "miss_at_k_s"), ("at k̄", "miss_at_k_bar")));
        html.Append(OverEdits(run, "Key shift and denominator ratio", false, ("‖k_s − k̄‖/‖k̄‖", "key_shift"), ("(u·k_s)/(u·k̄)", "denominator_ratio")));
        html.Append("</div>");
        return html.Append(BlockTable(run)).Append(Attribution(run)).ToString();
    }

    private static string DenominatorHistogram(RunData run)
    {
        var ks = run.Edits.Select(e => Figure(e, "u_dot_k_s")).ToList();
        var kBar = run.Edits.Select(e => Figure(e, "u_dot_k_bar")).ToList();
        var all = ks.Concat(kBar).Where(v => double.IsFinite(v) && v > 0).ToList();
        if (all.Count == 0) return new SvgChart("Denominators", "denominator", "edits", []).Render();
        double lo = all.Min(), hi = all.Max();
        if (hi <= lo) hi = lo * 1.01;
        var series = new List<ChartSeries>
        {
            new("u·k_s", HistogramSteps.Outline(ks, lo, hi, 30, logBins: true), SvgChart.Palette[0]),
            new("u·k̄", HistogramSteps.Outline(kBar, lo, hi, 30, logBins: true), SvgChart.Palette[1], Dashed: true),
        };
        return new SvgChart("Histogram of the denominators (positive values)", "denominator", "edits", series, YMin: 0, LogX: true).Render();
    }

    private static string Scatter(RunData run, string title, string xLabel, Func<EditEntry, double> x)
    {
        var series = new List<ChartSeries> { new(run.Settings.Method, run.Edits.Select(e => (x(e), RunData.Magnitude(e))).ToList(), SvgChart.Palette[0], Dots: true) };
        return new SvgChart(title, xLabel, "|Δ|", series, LogY: true, LogX: true).Render();
    }

    private static string OverEdits(RunData run, string title, bool logY, params (string Name, string Figure)[] figures)
    {
        var series = figures.Select((f, i) => new ChartSeries(f.Name,
            run.Edits.Select(e => ((double)e.Index + 1, logY ? Math.Abs(Figure(e, f.Figure)) : Figure(e, f.Figure))).ToList(), SvgChart.Palette[i], Dots: true)).ToList();
        return new SvgChart(title, "edits", "value", series, LogY: logY).Render();
    }

    /// <summary>Block medians: edits in blocks of the evaluation interval (at most ten blocks).</summary>
    private static string BlockTable(RunData run)
    {
        int block = BlockSize(run);
        var columns = new (string Name, Func<EditEntry, double> Pick)[]
        {
            ("|Δ|", RunData.Magnitude), ("numerator", e => Figure(e, "residual_norm")), ("|denominator|", e => Math.Abs(Figure(e, "denominator"))),
            ("‖δ‖", e => Figure(e, "delta_norm")), ("‖v_s − v̄‖", e => Figure(e, "value_shift")), ("cos(v_s − v̄, δ)", e => Figure(e, "value_shift_cos_delta")),
            ("key shift", e => Figure(e, "key_shift")), ("miss at k_s", e => Figure(e, "miss_at_k_s")),
        };
        var table = new StringBuilder("<table><tr><th>edits</th>");
        foreach (var (name, _) in columns) table.Append($"<th>median {E(name)}</th>");
        table.Append("</tr>");
        foreach (var chunk in run.Edits.Chunk(block))
        {
            table.Append($"<tr><td>{chunk[0].Index + 1}–{chunk[^1].Index + 1}</td>");
            foreach (var (_, pick) in columns) table.Append($"<td>{Sci(Median(chunk.Select(pick)))}</td>");
            table.Append("</tr>");
        }
        return table.Append("</table>").ToString();
    }

    public static int BlockSize(RunData run) =>
        Math.Max(1, run.Settings.EvalEvery > 0 && run.Edits.Count / run.Settings.EvalEvery is >= 2 and <= 10 ? run.Settings.EvalEvery : (run.Edits.Count + 9) / 10);

    /// <summary>How the first block's median |Δ| became the last's: log|Δ| = log numerator − log|denominator| − log numel, edit by edit.</summary>
    private static string Attribution(RunData run)
    {
        var blocks = run.Edits.Chunk(BlockSize(run)).ToList();
        double Growth(Func<EditEntry, double> pick) => Median(blocks[^1].Select(pick)) / Median(blocks[0].Select(pick));
        double magnitude = Growth(RunData.Magnitude), numerator = Growth(e => Figure(e, "residual_norm")), denominator = Growth(e => Math.Abs(Figure(e, "denominator")));
        double rNumerator = LogCorrelation(run, e => Figure(e, "residual_norm")), rDenominator = LogCorrelation(run, e => Math.Abs(Figure(e, "denominator")));
        return $"<p class=\"note\">First to last block (medians): |Δ| ×{G(magnitude)}, numerator ×{G(numerator)}, |denominator| ×{G(denominator)}. " +
               $"Correlation of log|Δ| with log numerator {G(rNumerator)}, with log|denominator| {G(rDenominator)} (over all {run.Edits.Count} edits).</p>";
    }

    /// <summary>Pearson correlation of log₁₀|Δ| with log₁₀ of a positive figure, over the edits where both are finite.</summary>
    public static double LogCorrelation(RunData run, Func<EditEntry, double> pick)
    {
        var pairs = run.Edits.Select(e => (X: Math.Log10(pick(e)), Y: Math.Log10(RunData.Magnitude(e)))).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (pairs.Count < 2) return double.NaN;
        double mx = pairs.Average(p => p.X), my = pairs.Average(p => p.Y);
        double sxy = pairs.Sum(p => (p.X - mx) * (p.Y - my)), sxx = pairs.Sum(p => (p.X - mx) * (p.X - mx)), syy = pairs.Sum(p => (p.Y - my) * (p.Y - my));
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    private static double Median(IEnumerable<double> values) => ReportNumbers.Median(values);

    private static string Sci(double v) => ReportNumbers.Sci(v);

    private static string G(double v) => ReportNumbers.Short(v);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
