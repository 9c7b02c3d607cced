using System.Globalization;
using System.Text.Json;
using RawEdit.Evaluation.Datasets;

namespace RawEdit.Cli.Commands;

/// <summary>One reported score: its JSON key, a label for people, and its value in percent.</summary>
internal sealed record EvalScore(string Key, string Label, double Value);

/// <summary>The scores of an eval run, printed as a plain table and, when asked, one JSON line.</summary>
internal sealed record EvalReport(string Dataset, DatasetForm Form, int Records, IReadOnlyList<EvalScore> Scores)
{
    public void WriteTable(TextWriter output, string dataFile, string model)
    {
        output.WriteLine($"{Dataset} metrics on {Records} records of {dataFile} ({FormName}), model {model}");
        int keyWidth = Scores.Max(s => s.Key.Length), labelWidth = Scores.Max(s => s.Label.Length);
        foreach (var score in Scores)
            output.WriteLine($"  {score.Key.PadRight(keyWidth)}  {score.Label.PadRight(labelWidth)}  {Format(score.Value),8}");
    }

    /// <summary>One line: {"dataset":…,"form":…,"records":N, key: value…}; a score with no prompts to average is null.</summary>
    public void WriteJson(TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("dataset", Dataset);
            writer.WriteString("form", FormName);
            writer.WriteNumber("records", Records);
            foreach (var score in Scores)
            {
                if (double.IsFinite(score.Value)) writer.WriteNumber(score.Key, Math.Round(score.Value, 6));
                else writer.WriteNull(score.Key);
            }
            writer.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private string FormName => Form switch
    {
        DatasetForm.CounterFact => "counterfact",
        DatasetForm.FlatCounterFact => "flat-counterfact",
        _ => "zsre-mend",
    };

    /// <summary>Two decimals; a value that rounds to zero prints as 0.00, not -0.00.</summary>
    private static string Format(double value) =>
        !double.IsFinite(value) ? "n/a" : (Math.Round(value, 2) == 0 ? 0 : value).ToString("F2", CultureInfo.InvariantCulture);
}
