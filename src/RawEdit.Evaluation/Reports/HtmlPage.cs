using System.Text;

namespace RawEdit.Evaluation.Reports;

/// <summary>The shell and style every RawEdit HTML report shares: one self-contained page, inline SVG, no scripts.</summary>
internal static class HtmlPage
{
    /// <summary>A page up to and including &lt;body&gt;, to append the content to.</summary>
    public static StringBuilder Open(string title) => new StringBuilder()
        .Append($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{SvgText.Escape(title)}</title><style>")
        .Append("body{font-family:sans-serif;margin:24px;max-width:1180px;color:#222}h1{font-size:22px}h2{font-size:17px;margin-top:28px}")
        .Append("table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .Append("th{background:#f3f3f3}td.l,th.l{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}.note{color:#555;font-size:13px}")
        .Append("code{font-size:12px}td{white-space:nowrap}td.wrap,.text{white-space:normal}.text{max-width:520px;text-align:left;font-size:12px}</style></head><body>");

    /// <summary>Closes the page and returns its text.</summary>
    public static string Close(StringBuilder page) => page.Append("</body></html>").ToString();
}
