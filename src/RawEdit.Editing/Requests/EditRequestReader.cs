using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Editing.Requests;

/// <summary>
/// Reads edit requests from JSON: a single request or an array, each in the upstream CounterFact form
/// (<c>{"requested_rewrite": {...}}</c> or the bare rewrite <c>{"prompt": "{} was created by", "subject", "target_new": {"str"}}</c>)
/// or the flat EasyEdit form (<c>prompt</c> containing the subject, <c>target_new</c> a string, <c>ground_truth</c>).
/// </summary>
public static class EditRequestReader
{
    /// <summary>The requests in a JSON file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not valid JSON, or a request with a missing or wrong field (the message names it).</exception>
    public static IReadOnlyList<EditRequest> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"requests file not found: {path}", path);
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>The requests in a JSON text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">A request with a missing or wrong field (the message names it).</exception>
    public static IReadOnlyList<EditRequest> Parse(string json, string source = "requests")
    {
        var root = JsonNode.Parse(json) ?? throw new InvalidDataException($"{source}: empty JSON");
        var items = root is JsonArray array ? array.ToList() : [root];
        var requests = new List<EditRequest>();
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject record) throw new InvalidDataException($"{source}: request {i} is not a JSON object");
            try
            {
                requests.Add(FromRecord(record, i));
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{source}: request {i} has a field of the wrong type ({e.Message})", e);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException)
            {
                throw new InvalidDataException($"{source}: {e.Message}", e);
            }
        }
        if (requests.Count == 0) throw new InvalidDataException($"{source}: no requests");
        return requests;
    }

    private static EditRequest FromRecord(JsonObject record, int index)
    {
        string? caseId = record["case_id"]?.ToJsonString().Trim('"') ?? index.ToString();
        var rewrite = record["requested_rewrite"] as JsonObject ?? record;
        string prompt = Required(rewrite, "prompt", index);
        string subject = Required(rewrite, "subject", index);
        string targetNew = TargetText(rewrite["target_new"]) ?? throw Missing("target_new", index);
        string? targetTrue = TargetText(rewrite["target_true"]) ?? TargetText(rewrite["ground_truth"]);
        return EditRequest.Create(prompt, subject, targetNew, targetTrue, caseId);
    }

    /// <summary>A target is <c>{"str": "..."}</c> upstream and a plain string in the flat form.</summary>
    private static string? TargetText(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o["str"]?.GetValue<string>(),
        JsonValue v => v.GetValue<string>(),
        _ => throw new FormatException("a target must be a string or {\"str\": ...}"),
    };

    private static string Required(JsonObject o, string field, int index) =>
        o[field]?.GetValue<string>() ?? throw Missing(field, index);

    private static InvalidDataException Missing(string field, int index) => new($"request {index} is missing '{field}'");
}
