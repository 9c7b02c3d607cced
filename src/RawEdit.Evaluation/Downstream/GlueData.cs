using System.Text.Json;

namespace RawEdit.Evaluation.Downstream;

/// <summary>Reads the forgetting study's 200-example task files (../shared/data/glue/*-200.json): sentence or sentence1/sentence2, and label.</summary>
internal static class GlueData
{
    public static IReadOnlyList<GlueExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"downstream task file not found: {path}", path);
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{path}: expected a JSON array of examples");
            var examples = new List<GlueExample>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                string Text(string name) => element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                    : throw new InvalidDataException($"{path}: example {examples.Count} has no string '{name}'");
                bool pair = element.TryGetProperty("sentence1", out _);
                int label = element.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.Number && l.GetInt32() is 0 or 1 ? l.GetInt32()
                    : throw new InvalidDataException($"{path}: example {examples.Count} needs a label of 0 or 1");
                examples.Add(pair ? new GlueExample(Text("sentence1"), Text("sentence2"), label) : new GlueExample(Text("sentence"), null, label));
            }
            if (examples.Count == 0) throw new InvalidDataException($"{path}: no examples");
            return examples;
        }
    }
}
