using System.Text;

namespace RawEdit.Evaluation.Reports;

/// <summary>
/// A self-contained SVG heat map: one row per label (top to bottom), one column per x value, each cell shaded from white
/// (<see cref="Min"/>) to <see cref="Color"/> (<see cref="Max"/>), with a colour bar. ROME's Figure 1 draws causal traces
/// this way: tokens down, layers across. Emphasised rows get a trailing "*" (the subject tokens there).
/// </summary>
internal sealed record SvgHeatMap(string Title, string XLabel, IReadOnlyList<string> RowLabels, IReadOnlyList<bool> Emphasised,
    IReadOnlyList<double[]> Values, double Min, double Max, string Color, string ScaleLabel, int CellWidth = 18, int CellHeight = 16)
{
    private const int Left = 120, Top = 30, Bottom = 40, BarWidth = 12, BarGap = 14, Right = 70;

    public string Render()
    {
        int rows = Values.Count, columns = rows == 0 ? 0 : Values[0].Length;
        int plotW = columns * CellWidth, plotH = rows * CellHeight;
        int width = Left + plotW + BarGap + BarWidth + Right, height = Top + plotH + Bottom;
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append($"<text x=\"{Left + plotW / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{SvgText.Escape(Title)}</text>");
        for (int r = 0; r < rows; r++)
        {
            int y = Top + r * CellHeight;
            string label = RowLabels[r] + (Emphasised[r] ? "*" : "");
            svg.Append($"<text x=\"{Left - 4}\" y=\"{y + CellHeight - 4}\" text-anchor=\"end\" xml:space=\"preserve\">{SvgText.Escape(label)}</text>");
            for (int c = 0; c < columns; c++)
                svg.Append($"<rect x=\"{Left + c * CellWidth}\" y=\"{y}\" width=\"{CellWidth}\" height=\"{CellHeight}\" fill=\"{Shade(Values[r][c])}\"><title>{SvgText.Label(Values[r][c])}</title></rect>");
        }
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (double t in columns > 1 ? SvgChart.Ticks(0, columns - 1) : [0.0])
        {
            double x = Left + (t + 0.5) * CellWidth;
            svg.Append($"<text x=\"{SvgText.Number(x)}\" y=\"{Top + plotH + 14}\" text-anchor=\"middle\">{SvgText.Label(t)}</text>");
        }
        svg.Append($"<text x=\"{Left + plotW / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">{SvgText.Escape(XLabel)}</text>");
        AppendColorBar(svg, Left + plotW + BarGap, plotH);
        return svg.Append("</svg>").ToString();
    }

    // A vertical bar from Max (top) to Min (bottom), labelled at both ends and with the scale's name.
    private void AppendColorBar(StringBuilder svg, int x, int plotH)
    {
        const int steps = 20;
        for (int i = 0; i < steps; i++)
        {
            double v = Max - (Max - Min) * (i + 0.5) / steps;
            svg.Append($"<rect x=\"{x}\" y=\"{SvgText.Number(Top + plotH * i / (double)steps)}\" width=\"{BarWidth}\" height=\"{SvgText.Number(plotH / (double)steps + 0.5)}\" fill=\"{Shade(v)}\"/>");
        }
        svg.Append($"<text x=\"{x + BarWidth + 3}\" y=\"{Top + 9}\">{SvgText.Label(Max)}</text>");
        svg.Append($"<text x=\"{x + BarWidth + 3}\" y=\"{Top + plotH}\">{SvgText.Label(Min)}</text>");
        svg.Append($"<text transform=\"translate({x + BarWidth + 12},{Top + plotH / 2}) rotate(90)\" text-anchor=\"middle\">{SvgText.Escape(ScaleLabel)}</text>");
    }

    // Linear blend from white at Min to Color at Max, clamped.
    private string Shade(double v)
    {
        double share = Max > Min && double.IsFinite(v) ? Math.Clamp((v - Min) / (Max - Min), 0, 1) : 0;
        int r = Convert.ToInt32(Color[1..3], 16), g = Convert.ToInt32(Color[3..5], 16), b = Convert.ToInt32(Color[5..7], 16);
        int Mix(int full) => (int)Math.Round(255 + (full - 255) * share);
        return $"#{Mix(r):x2}{Mix(g):x2}{Mix(b):x2}";
    }
}
