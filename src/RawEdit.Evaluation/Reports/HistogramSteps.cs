namespace RawEdit.Evaluation.Reports;

/// <summary>
/// A histogram as a step outline for <see cref="SvgChart"/>: bins of equal width in log₁₀ x (positive values only)
/// or in x, each drawn as two points (left edge, count) and (right edge, count) joined to the next bin's.
/// </summary>
internal static class HistogramSteps
{
    /// <summary>The outline over <paramref name="lo"/>..<paramref name="hi"/> (shared by the series of one chart); values outside are not counted.</summary>
    public static List<(double X, double Y)> Outline(IEnumerable<double> values, double lo, double hi, int bins, bool logBins)
    {
        double Scale(double v) => logBins ? Math.Log10(v) : v;
        double Unscale(double s) => logBins ? Math.Pow(10, s) : s;
        double a = Scale(lo), b = Scale(hi), width = (b - a) / bins;
        var counts = new int[bins];
        foreach (double v in values.Where(v => double.IsFinite(v) && (!logBins || v > 0)))
        {
            double s = Scale(v);
            if (s < a || s > b) continue;
            counts[width > 0 ? Math.Min(bins - 1, (int)((s - a) / width)) : 0]++;
        }
        var points = new List<(double X, double Y)>();
        for (int i = 0; i < bins; i++)
        {
            points.Add((Unscale(a + i * width), counts[i]));
            points.Add((Unscale(a + (i + 1) * width), counts[i]));
        }
        return points;
    }

    /// <summary>The counts the outline draws, one per bin (every other point's y).</summary>
    public static IEnumerable<int> Counts(IReadOnlyList<(double X, double Y)> outline) => outline.Where((_, i) => i % 2 == 0).Select(p => (int)p.Y);
}
