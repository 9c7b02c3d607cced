using System.Globalization;
using System.Text;

namespace RawEdit.Evaluation.Reports;

/// <summary>One plotted series: points (x, y) joined by a line, or drawn as dots. Non-finite y values leave gaps.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color, bool Dots = false, bool Dashed = false);

/// <summary>
/// A self-contained SVG line chart: linear or log₁₀ x and y, ticks at round values, a legend. Coordinates
/// are written with invariant culture so the page renders the same everywhere.
/// </summary>
internal sealed record SvgChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, bool LogY = false,
    double? YMin = null, double? YMax = null, int Width = 560, int Height = 300, bool LogX = false)
{
    private const int Left = 70, Right = 16, Top = 30, Bottom = 46;

    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];

    private const int LegendColumnWidth = 135, LegendRowHeight = 14;

    public string Render()
    {
        int perRow = Math.Max(1, (Width - Left - Right) / LegendColumnWidth);
        int legendRows = (Series.Count + perRow - 1) / perRow;
        int total = Height + legendRows * LegendRowHeight;
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{total}\" viewBox=\"0 0 {Width} {total}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append($"<text x=\"{Width / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Escape(Title)}</text>");
        var points = Series.SelectMany(s => s.Points).Where(Visible).ToList();
        if (points.Count == 0)
        {
            svg.Append($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" fill=\"#777\">no data</text></svg>");
            return svg.ToString();
        }
        double Y(double v) => LogY ? Math.Log10(v) : v;
        double X(double v) => LogX ? Math.Log10(v) : v;
        double x0 = points.Min(p => X(p.X)), x1 = points.Max(p => X(p.X));
        double y0 = YMin is { } lo ? Y(lo) : points.Min(p => Y(p.Y)), y1 = YMax is { } hi ? Y(hi) : points.Max(p => Y(p.Y));
        if (x1 == x0) { x0 -= 0.5; x1 += 0.5; }
        if (LogX) { x0 = Math.Floor(x0); x1 = Math.Ceiling(x1); }
        if (y1 == y0 && YMin is not null && !LogY) y1 = y0 + 1;
        if (y1 == y0) { y0 -= LogY ? 0.5 : Math.Max(Math.Abs(y0) * 0.1, 0.5); y1 += LogY ? 0.5 : Math.Max(Math.Abs(y1) * 0.1, 0.5); }
        if (LogY) { y0 = Math.Floor(y0); y1 = Math.Ceiling(y1); }
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (X(x) - x0) / (x1 - x0) * plotW;
        double Py(double y) => Top + plotH - (Y(y) - y0) / (y1 - y0) * plotH;

        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"#fff\" stroke=\"#999\"/>");
        foreach (double t in LogY ? LogTicks(y0, y1) : Ticks(y0, y1))
        {
            double py = Top + plotH - (t - y0) / (y1 - y0) * plotH;
            string label = LogY ? LogLabel(t) : Label(t);
            svg.Append($"<line x1=\"{Left}\" x2=\"{F(Left + plotW)}\" y1=\"{F(py)}\" y2=\"{F(py)}\" stroke=\"#eee\"/>");
            svg.Append($"<text x=\"{Left - 4}\" y=\"{F(py + 4)}\" text-anchor=\"end\">{label}</text>");
        }
        foreach (double t in LogX ? LogTicks(x0, x1) : Ticks(x0, x1))
        {
            double px = Left + (t - x0) / (x1 - x0) * plotW;
            svg.Append($"<line x1=\"{F(px)}\" x2=\"{F(px)}\" y1=\"{F(Top + plotH)}\" y2=\"{F(Top + plotH + 4)}\" stroke=\"#999\"/>");
            svg.Append($"<text x=\"{F(px)}\" y=\"{F(Top + plotH + 16)}\" text-anchor=\"middle\">{(LogX ? LogLabel(t) : Label(t))}</text>");
        }
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Escape(XLabel)}</text>");
        svg.Append($"<text transform=\"translate(14,{F(Top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(YLabel)}</text>");

        svg.Append("<g>");
        foreach (var s in Series)
        {
            var visible = s.Points.Select(p => Visible(p) ? p : ((double, double)?)null).ToList();
            if (s.Dots)
                foreach (var p in visible.OfType<(double X, double Y)>())
                    svg.Append($"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"2\" fill=\"{s.Color}\"/>");
            else
                foreach (var run in Runs(visible))
                    svg.Append($"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.5\"{(s.Dashed ? " stroke-dasharray=\"5,3\"" : "")} points=\"" +
                               string.Join(" ", run.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}")) + "\"/>");
        }
        svg.Append("</g>");
        // The legend sits below the axis label, in rows, so that it never hides data.
        for (int i = 0; i < Series.Count; i++)
        {
            double lx = Left + i % perRow * LegendColumnWidth, ly = Height + i / perRow * LegendRowHeight + 4;
            svg.Append($"<line x1=\"{F(lx)}\" x2=\"{F(lx + 14)}\" y1=\"{F(ly - 4)}\" y2=\"{F(ly - 4)}\" stroke=\"{Series[i].Color}\" stroke-width=\"2.5\"" +
                       $"{(Series[i].Dashed ? " stroke-dasharray=\"4,2\"" : "")}/>");
            svg.Append($"<text x=\"{F(lx + 18)}\" y=\"{F(ly)}\">{Escape(Series[i].Name)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>A point the axes can place: finite, and positive on a log axis.</summary>
    private bool Visible((double X, double Y) p) => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0) && (!LogX || p.X > 0);

    private static string LogLabel(double log10) => Math.Pow(10, log10).ToString("0E0", CultureInfo.InvariantCulture).Replace("E", "e");

    /// <summary>Consecutive stretches of visible points (a gap breaks the line).</summary>
    private static IEnumerable<List<(double X, double Y)>> Runs(IEnumerable<(double X, double Y)?> points)
    {
        var run = new List<(double X, double Y)>();
        foreach (var p in points)
        {
            if (p is { } v) { run.Add(v); continue; }
            if (run.Count > 0) yield return run;
            run = new List<(double X, double Y)>();
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>log₁₀ positions of the decades in [lo, hi], and of 2 and 5 × each decade when the range spans at most three.</summary>
    public static IEnumerable<double> LogTicks(double lo, double hi)
    {
        for (int decade = (int)lo; decade <= (int)hi; decade++)
            foreach (double m in hi - lo <= 3 ? new[] { 1.0, 2, 5 } : [1.0])
            {
                double t = decade + Math.Log10(m);
                if (t <= hi + 1e-9) yield return t;
            }
    }

    /// <summary>About five ticks at 1, 2 or 5 × 10^k inside [lo, hi].</summary>
    public static IEnumerable<double> Ticks(double lo, double hi)
    {
        double raw = (hi - lo) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step) yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    private static string Label(double v) => SvgText.Label(v);

    private static string F(double v) => SvgText.Number(v);

    private static string Escape(string s) => SvgText.Escape(s);
}
