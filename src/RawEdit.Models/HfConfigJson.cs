using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Models;

/// <summary>Reading Hugging Face config.json files: the object, typed fields with clear errors, the model type.</summary>
internal static class HfConfigJson
{
    public static JsonObject Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config.json not found: {path}", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path}: config is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: config is not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>"model_type", or <paramref name="fallback"/> when absent (old GPT-2 configs have none).</summary>
    public static string ModelType(JsonObject json, string source, string fallback = "gpt2")
    {
        var node = json["model_type"];
        if (node is null) return fallback;
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new InvalidDataException($"{source}: 'model_type' must be a string, got {node.ToJsonString()}");
    }

    public static int Int(JsonObject json, string key, int fallback, string source)
    {
        var node = json[key];
        if (node is null) return fallback;
        try { return node.GetValue<int>(); }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        { throw new InvalidDataException($"{source}: '{key}' must be an integer, got {node.ToJsonString()}"); }
    }

    /// <summary>An integer that may be JSON null (n_inner): null then.</summary>
    public static int? NullableInt(JsonObject json, string key, string source) =>
        json[key] is JsonValue v && v.GetValueKind() != JsonValueKind.Null ? Int(json, key, 0, source) : null;
}
