using System.Text.Json;

namespace RawEdit.Evaluation.Datasets;

/// <summary>
/// One JSON object of a dataset file, with typed field access whose errors name the file, the record
/// index and (once known) the case id, so a bad record can be found in a 10,000-record file.
/// </summary>
internal sealed class JsonRecord
{
    private readonly JsonElement element;
    private readonly string source;
    private readonly int index;
    private readonly string path;

    public JsonRecord(JsonElement element, string source, int index, string path = "")
    {
        this.element = element;
        this.source = source;
        this.index = index;
        this.path = path;
        if (element.ValueKind != JsonValueKind.Object) throw Error($"is a JSON {Describe(element.ValueKind)}, not an object");
    }

    /// <summary>Set after the id is read so later errors name it.</summary>
    public string? CaseId { get; set; }

    public int Index => index;

    public bool Has(string field) => element.TryGetProperty(field, out _);

    public InvalidDataException Error(string problem) =>
        new($"{source}: record {index}{(CaseId is null ? "" : $" (case_id {CaseId})")} {problem}");

    public string RequiredString(string field) => AsString(Required(field), field);

    /// <summary>A required string that must not be empty (prompts, subjects).</summary>
    public string RequiredText(string field)
    {
        string value = RequiredString(field);
        if (value.Length == 0) throw Error($"has an empty '{Path(field)}'");
        return value;
    }

    /// <summary>A case id given as a JSON number or string.</summary>
    public string RequiredId(string field)
    {
        var value = Required(field);
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw Error($"field '{field}' must be a number or a string, found {Describe(value.ValueKind)}"),
        };
    }

    /// <summary>A nested object, e.g. <c>requested_rewrite</c>.</summary>
    public JsonRecord RequiredObject(string field)
    {
        var value = Required(field);
        if (value.ValueKind != JsonValueKind.Object) throw Error($"field '{field}' must be an object, found {Describe(value.ValueKind)}");
        return new JsonRecord(value, source, index, Path(field)) { CaseId = CaseId };
    }

    /// <summary>An answer given as upstream's <c>{"str": ...}</c> object or as a plain string.</summary>
    public string RequiredTarget(string field) =>
        element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Object
            ? RequiredObject(field).RequiredString("str")
            : RequiredString(field);

    /// <summary>An array of strings; absent or null reads as empty.</summary>
    public IReadOnlyList<string> OptionalStrings(string field)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return [];
        return RequiredStrings(field);
    }

    /// <summary>A non-empty array of strings.</summary>
    public IReadOnlyList<string> RequiredStrings(string field)
    {
        var value = Required(field);
        if (value.ValueKind != JsonValueKind.Array) throw Error($"field '{Path(field)}' must be an array of strings, found {Describe(value.ValueKind)}");
        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
            list.Add(AsString(item, $"{field}[{list.Count}]"));
        return list;
    }

    private string Path(string field) => path.Length == 0 ? field : $"{path}.{field}";

    private JsonElement Required(string field)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            throw Error($"is missing field '{Path(field)}'");
        return value;
    }

    private string AsString(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Error($"field '{Path(field)}' must be a string, found {Describe(value.ValueKind)}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
