using System.Globalization;
using RawEdit.Evaluation.Tracing;

namespace RawEdit.Cli.Commands;

/// <summary>Plain-text tables of <c>rawedit trace</c>: tokens or token roles down, layers across, indirect effects in the cells.</summary>
internal static class TraceTables
{
    public static void WriteTrace(TextWriter output, CausalTrace trace)
    {
        output.WriteLine($"target {Quote(trace.Target)} (token {trace.TargetId}): clean p = {F(trace.Clean)}, corrupted p = {F(trace.Corrupted)}");
        var labels = trace.Tokens.Select((t, i) => Quote(t) + (trace.Subject.Contains(i) ? "*" : "")).ToList();
        foreach (var kind in TraceKinds.All)
        {
            output.WriteLine();
            output.WriteLine($"indirect effect ({TraceKinds.Name(kind)}{(kind == TraceKind.HiddenState ? "" : $", window {trace.Window}")}): p restored − p corrupted; * = subject token");
            WriteTable(output, labels, trace.IndirectEffect(kind), trace.Layers);
        }
    }

    public static void WriteAverage(TextWriter output, TraceAverage average, int layers)
    {
        output.WriteLine($"mean clean p = {F(average.MeanClean)}, mean corrupted p = {F(average.MeanCorrupted)}");
        var roles = TokenRoles.Averaged.Where(r => average.PromptsWith(r) > 0).ToList();
        var labels = roles.Select(r => $"{TokenRoles.Name(r)} ({average.PromptsWith(r)})").ToList();
        foreach (var kind in TraceKinds.All)
        {
            output.WriteLine();
            output.WriteLine($"mean indirect effect ({TraceKinds.Name(kind)}) per token role (prompts with that role)");
            WriteTable(output, labels, roles.Select(r => average.Mean(kind, r)).ToArray(), layers);
        }
        output.WriteLine();
        output.WriteLine($"peak at the last subject token: mlp layer {average.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject)}, " +
                         $"hidden layer {average.PeakLayer(TraceKind.HiddenState, TokenRole.LastSubject)}, attn layer {average.PeakLayer(TraceKind.Attention, TokenRole.LastSubject)}");
    }

    // labels.Count rows × layers columns of values[row][layer].
    private static void WriteTable(TextWriter output, IReadOnlyList<string> labels, double[][] values, int layers)
    {
        int labelWidth = Math.Max(6, labels.Max(l => l.Length));
        output.WriteLine("".PadRight(labelWidth) + string.Concat(Enumerable.Range(0, layers).Select(l => $"{"L" + l,9}")));
        for (int r = 0; r < labels.Count; r++)
            output.WriteLine(labels[r].PadRight(labelWidth) + string.Concat(values[r].Select(v => $"{F(v),9}")));
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Quote(string token) => "'" + token.Replace("\n", "\\n") + "'";
}
