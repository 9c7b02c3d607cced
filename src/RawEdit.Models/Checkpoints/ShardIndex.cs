using System.Text.Encodings.Web;
using System.Text.Json;

namespace RawEdit.Models.Checkpoints;

/// <summary>The Hugging Face "model.safetensors.index.json" of a sharded checkpoint.</summary>
internal sealed record ShardIndex(
    IReadOnlyDictionary<string, string> WeightMap,
    IReadOnlyDictionary<string, string> Metadata)
{
    public const string FileName = "model.safetensors.index.json";
    public const string SingleFileName = "model.safetensors";
    private const long MaxIndexLength = 100_000_000;

    public static ShardIndex Read(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > MaxIndexLength)
        {
            throw Fail(path, $"index is {length} bytes, above the {MaxIndexLength}-byte limit");
        }
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Fail(path, $"index must be a JSON object, found {root.ValueKind}");
            }
            var weightMap = ReadWeightMap(path, root);
            var metadata = ReadMetadata(path, root);
            return new ShardIndex(weightMap, metadata);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: JsonElement refuses strings with escaped lone surrogates.
            throw Fail(path, $"index is not valid JSON: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string path, JsonElement root)
    {
        if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, "index needs a \"weight_map\" object mapping tensor names to shard files");
        }
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Fail(path, $"weight_map entry '{property.Name}' must be a shard file name string");
            }
            string shard = property.Value.GetString()!;
            // Shards must sit beside the index: no directories, so the index cannot point elsewhere.
            if (shard.Length == 0 || shard is "." or ".." || shard != Path.GetFileName(shard)
                || shard.Contains('/') || shard.Contains('\\') || shard.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                throw Fail(path, $"weight_map entry '{property.Name}' names '{shard}', which is not a plain file name");
            }
            if (!weightMap.TryAdd(property.Name, shard))
            {
                throw Fail(path, $"duplicate key '{property.Name}' in weight_map");
            }
        }
        return weightMap;
    }

    private static Dictionary<string, string> ReadMetadata(string path, JsonElement root)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("metadata", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return metadata;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, "index \"metadata\" must be an object");
        }
        foreach (var property in element.EnumerateObject())
        {
            // Values are free-form (total_size is a number); strings are kept unquoted, the rest as JSON text.
            string value = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : property.Value.GetRawText();
            if (!metadata.TryAdd(property.Name, value))
            {
                throw Fail(path, $"duplicate key '{property.Name}' in index metadata");
            }
        }
        return metadata;
    }

    public static void Write(Stream stream, IReadOnlyDictionary<string, string> weightMap, long totalSize)
    {
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var writer = new Utf8JsonWriter(stream, options);
        writer.WriteStartObject();
        writer.WriteStartObject("metadata");
        writer.WriteNumber("total_size", totalSize);
        writer.WriteEndObject();
        writer.WriteStartObject("weight_map");
        foreach (var pair in weightMap.OrderBy(p => p.Key, Utf8OrdinalComparer.Instance))
        {
            writer.WriteString(pair.Key, pair.Value);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static InvalidDataException Fail(string path, string problem, Exception? inner = null) =>
        CheckpointFormatError.Create(path, problem, inner);
}
