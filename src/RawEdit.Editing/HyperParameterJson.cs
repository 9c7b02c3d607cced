using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Editing;

/// <summary>The JSON plumbing every method's hparams record shares: reading the file and folding its keys with clear errors.</summary>
internal static class HyperParameterJson
{
    public static JsonObject ReadObject(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"hparams file not found: {path}", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>Applies every key in order; a value of the wrong type is reported naming its key.</summary>
    public static T Fold<T>(JsonObject json, T start, Func<T, string, JsonNode?, T> apply, string source)
    {
        var h = start;
        foreach (var (key, value) in json)
        {
            try
            {
                h = apply(h, key, value);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new InvalidDataException($"{source}: '{key}' has the wrong type ({value?.ToJsonString() ?? "null"})", e);
            }
        }
        return h;
    }
}
