using System.Globalization;
using System.Net;

namespace RawEdit.Evaluation.Reports;

/// <summary>How the SVG charts write numbers and text: invariant culture, so a page renders the same everywhere.</summary>
internal static class SvgText
{
    /// <summary>A coordinate, two decimals at most.</summary>
    public static string Number(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A tick or legend value: plain for ordinary magnitudes, scientific for very large or small ones.</summary>
    public static string Label(double v) => Math.Abs(v) >= 1e4 || (v != 0 && Math.Abs(v) < 1e-2) ? v.ToString("0.#E0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Escape(string s) => WebUtility.HtmlEncode(s);
}
