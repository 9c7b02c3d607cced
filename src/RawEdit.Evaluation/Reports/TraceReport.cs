using System.Text;
using RawEdit.Evaluation.Tracing;

namespace RawEdit.Evaluation.Reports;

/// <summary>
/// The HTML page of <c>rawedit trace</c>: for each traced prompt the three heat maps of ROME's Figure 1 (restored
/// p(target) per token and layer: hidden states, MLP, attention), and, for many prompts, the mean indirect effect per
/// layer at each token role (Figure 2) with the peak layers.
/// </summary>
internal static class TraceReport
{
    /// <summary>Heat-map colours of ROME's figures: purple hidden states, green MLP, red attention.</summary>
    private static string ColorOf(TraceKind kind) => kind switch
    {
        TraceKind.HiddenState => "#54278f",
        TraceKind.Mlp => "#006d2c",
        _ => "#a50f15",
    };

    private static string Title(TraceKind kind) => kind switch
    {
        TraceKind.HiddenState => "restoring single hidden states",
        TraceKind.Mlp => "restoring MLP outputs",
        _ => "restoring attention outputs",
    };

    /// <param name="model">The model's name or folder, shown in the header.</param>
    /// <param name="traces">Prompts to draw heat maps of (the page draws them all: pass a few).</param>
    /// <param name="average">The average over many prompts, or null for single-prompt traces.</param>
    public static string Render(string model, IReadOnlyList<CausalTrace> traces, TraceAverage? average)
    {
        var html = HtmlPage.Open("RawEdit causal trace");
        html.Append("<h1>Causal trace</h1>");
        html.Append($"<p class=\"note\">Model <code>{SvgText.Escape(model)}</code>. Each cell is p(target) after corrupting the subject's " +
                    "token embeddings with Gaussian noise and restoring that token's state at that layer from the clean run " +
                    "(Meng et al. 2022, Sec. 2.1); MLP and attention restore a window of layers around it. The colour scale starts at the corrupted run's p.</p>");
        if (average is not null) html.Append($"<h2>Average indirect effect over {average.Prompts} prompts</h2>").Append(AverageSection(average));
        foreach (var trace in traces) AppendTrace(html, trace);
        return HtmlPage.Close(html);
    }

    private static void AppendTrace(StringBuilder html, CausalTrace trace)
    {
        string prompt = string.Concat(trace.Tokens);
        html.Append($"<h2>{SvgText.Escape(prompt)} → {SvgText.Escape(trace.Target)}</h2>");
        html.Append($"<p class=\"note\">clean p = {trace.Clean:F4}, corrupted p = {trace.Corrupted:F4}, {trace.Samples} noise samples" +
                    (double.IsNaN(trace.NoiseScale) ? "" : $" of σ = {trace.NoiseScale:G4}") + $", window {trace.Window}; subject tokens marked *.</p><div class=\"charts\">");
        var emphasised = Enumerable.Range(0, trace.Tokens.Length).Select(trace.Subject.Contains).ToList();
        foreach (var kind in TraceKinds.All)
        {
            var values = trace.Restored[TraceKinds.Name(kind)];
            double max = Math.Max(trace.Corrupted, values.Max(row => row.Max()));
            string xLabel = kind == TraceKind.HiddenState ? "restored layer" : $"centre of the {trace.Window} restored layers";
            html.Append(new SvgHeatMap($"Impact of {Title(kind)}", xLabel,
                trace.Tokens, emphasised, values, trace.Corrupted, max, ColorOf(kind), $"p({trace.Target.Trim()})").Render());
        }
        html.Append("</div>");
    }

    /// <summary>Figure 2 of ROME for an average: the peak layers and one chart per kind (also in <c>rawedit report --trace</c>).</summary>
    public static string AverageSection(TraceAverage average)
    {
        var html = new StringBuilder();
        html.Append($"<p class=\"note\">mean clean p = {average.MeanClean:F4}, mean corrupted p = {average.MeanCorrupted:F4}. " +
                    $"Peak of the MLP trace at the last subject token: layer {average.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject)} (ROME's edit layer); " +
                    $"of the hidden-state trace: layer {average.PeakLayer(TraceKind.HiddenState, TokenRole.LastSubject)}.</p><div class=\"charts\">");
        foreach (var kind in TraceKinds.All)
        {
            var series = TokenRoles.Averaged.Where(r => average.PromptsWith(r) > 0).Select((role, i) => new ChartSeries(TokenRoles.Name(role),
                average.Mean(kind, role).Select((e, l) => ((double)l, e)).ToList(), SvgChart.Palette[i % SvgChart.Palette.Length])).ToList();
            html.Append(new SvgChart($"Average indirect effect, {Title(kind)}", "layer", "indirect effect", series).Render());
        }
        return html.Append("</div>").ToString();
    }
}
