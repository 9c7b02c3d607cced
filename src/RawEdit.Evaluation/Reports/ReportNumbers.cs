using System.Globalization;

namespace RawEdit.Evaluation.Reports;

/// <summary>The statistics and number formats the run report's tables share; a missing value shows as a dash.</summary>
internal static class ReportNumbers
{
    /// <summary>The median of the finite values, NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string Fixed(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    public static string Sci(double v) => double.IsFinite(v) ? v.ToString("0.00E0", CultureInfo.InvariantCulture) : "–";

    /// <summary>At most two decimals, for growth factors and correlations.</summary>
    public static string Short(double v) => double.IsFinite(v) ? v.ToString("0.##", CultureInfo.InvariantCulture) : "–";
}
