using System.Text.Json;
using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Zsre;

namespace RawEdit.Evaluation.Datasets;

/// <summary>The records of a dataset file and the layout they were read from.</summary>
/// <param name="Form">The layout the records were in.</param>
/// <param name="Cases">The records, in file order.</param>
public sealed record EditDataset(DatasetForm Form, IReadOnlyList<EditCase> Cases)
{
    /// <summary>The metrics a file of this form is normally scored with.</summary>
    public DatasetKind NaturalKind => Form == DatasetForm.ZsreMend ? DatasetKind.Zsre : DatasetKind.CounterFact;
}

/// <summary>
/// Reads a JSON array of edit records in any <see cref="DatasetForm"/>. The form is detected from the first
/// record's fields; every record must then be in that form, and a record that is not is refused with an
/// error naming its index, case id and the field at fault.
/// </summary>
public static class EditCaseReader
{
    /// <summary>The records of a JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">Read only the first <paramref name="limit"/> records (null: all).</param>
    /// <exception cref="InvalidDataException">Not valid JSON, an unknown layout, or a record not in the first one's layout.</exception>
    public static EditDataset ReadFile(string path, int? limit = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}");
        using var stream = File.OpenRead(path);
        return Parse(stream, Path.GetFileName(path), limit);
    }

    /// <summary>The records of a JSON text; <paramref name="sourceName"/> names it in error messages.</summary>
    public static EditDataset Parse(string json, string sourceName = "dataset", int? limit = null)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return Parse(stream, sourceName, limit);
    }

    /// <summary>The records of a JSON stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static EditDataset Parse(Stream json, string sourceName, int? limit = null)
    {
        if (limit is < 0) throw new ArgumentException($"limit must not be negative, got {limit}");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{sourceName}: expected a JSON array of records");
            if (root.GetArrayLength() == 0) throw new InvalidDataException($"{sourceName}: the file holds no records");
            var form = DetectForm(new JsonRecord(root[0], sourceName, 0));
            Func<JsonRecord, EditCase> read = form switch
            {
                DatasetForm.CounterFact => CounterFactRecords.ReadUpstream,
                DatasetForm.FlatCounterFact => CounterFactRecords.ReadFlat,
                _ => ZsreRecords.Read,
            };
            int count = Math.Min(root.GetArrayLength(), limit ?? int.MaxValue);
            var cases = new List<EditCase>(count);
            foreach (var element in root.EnumerateArray().Take(count))
                cases.Add(read(new JsonRecord(element, sourceName, cases.Count)));
            return new EditDataset(form, cases);
        }
    }

    /// <summary>requested_rewrite → upstream CounterFact; src + alt → zsRE; prompt + ground_truth → flat CounterFact.</summary>
    internal static DatasetForm DetectForm(JsonRecord first)
    {
        if (first.Has("requested_rewrite")) return DatasetForm.CounterFact;
        if (first.Has("src") && first.Has("alt")) return DatasetForm.ZsreMend;
        if (first.Has("prompt") && first.Has("ground_truth")) return DatasetForm.FlatCounterFact;
        throw first.Error("is in no known form: expected 'requested_rewrite' (CounterFact), 'src' and 'alt' (zsRE) " +
                          "or 'prompt' and 'ground_truth' (flat CounterFact)");
    }
}
