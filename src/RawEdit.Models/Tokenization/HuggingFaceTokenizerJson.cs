using System.Text.Json;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// Reads a Hugging Face fast-tokenizer file (<c>tokenizer.json</c>) of the GPT-2 family: a byte-level BPE
/// <c>model</c> (<c>vocab</c> object, <c>merges</c> as "left right" strings or, since tokenizers 0.20, as
/// [left, right] pairs) and the <c>added_tokens</c> list ({ "id": 50256, "content": "&lt;|endoftext|&gt;", … }).
/// Anything that would make its ids differ from GPT-2's encoder (another model type, a normaliser, a
/// pre-tokenizer other than ByteLevel without a prefix space) is refused rather than silently ignored.
/// </summary>
internal static class HuggingFaceTokenizerJson
{
    public static TokenizerDefinition Read(string path)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        var model = Property(root, "model", JsonValueKind.Object, path);
        if (model.TryGetProperty("type", out var type) && type.GetString() != "BPE")
            throw Unsupported(path, $"model.type is \"{type}\", not \"BPE\"");
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            throw Unsupported(path, "it has a normalizer");
        if (root.TryGetProperty("pre_tokenizer", out var preTokenizer) && !IsGpt2ByteLevel(preTokenizer))
            throw Unsupported(path, $"its pre_tokenizer is {preTokenizer.GetRawText()}");

        var vocabulary = ReadVocabulary(Property(model, "vocab", JsonValueKind.Object, path), path);
        var merges = new MergeList(path, vocabulary);
        int index = 0;
        foreach (var merge in Property(model, "merges", JsonValueKind.Array, path).EnumerateArray())
        {
            string where = $"model.merges[{index++}]";
            var (left, right) = merge.ValueKind switch
            {
                JsonValueKind.String when merge.GetString()!.Split(' ') is [var l, var r] => (l, r),
                JsonValueKind.Array when merge.GetArrayLength() == 2 => (merge[0].GetString() ?? "", merge[1].GetString() ?? ""),
                _ => throw new InvalidDataException($"{path}, {where}: expected \"left right\" or [left, right], got {merge.GetRawText()}"),
            };
            merges.Add(left, right, where);
        }
        var definition = new TokenizerDefinition(vocabulary, merges.Lines, [], path);
        definition.AddTokens(ReadAddedTokens(root, path), path);
        return definition;
    }

    /// <summary>Only the <c>added_tokens</c> list, for a folder whose vocabulary and merges are in their own files.</summary>
    public static Dictionary<string, int> ReadAddedTokens(string path)
    {
        using var document = Parse(path);
        return ReadAddedTokens(document.RootElement, path);
    }

    private static Dictionary<string, int> ReadAddedTokens(JsonElement root, string path)
    {
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null)
            return added;
        foreach (var entry in list.EnumerateArray())
        {
            string content = entry.TryGetProperty("content", out var c) ? c.GetString() ?? "" : "";
            if (content.Length == 0 || !entry.TryGetProperty("id", out var id) || !id.TryGetInt32(out int value)
                || value is < 0 or > TokenTableJson.MaxId || !added.TryAdd(content, value))
                throw new InvalidDataException($"{path}: malformed or repeated entry in added_tokens: {entry.GetRawText()}");
        }
        return added;
    }

    private static Dictionary<string, int> ReadVocabulary(JsonElement vocab, string path)
    {
        var vocabulary = new Dictionary<string, int>(capacity: 50_257, StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out int id) || id is < 0 or > TokenTableJson.MaxId || entry.Name.Length == 0
                || !vocabulary.TryAdd(entry.Name, id))
                throw new InvalidDataException($"{path}: malformed or repeated entry in model.vocab: \"{entry.Name}\": {entry.Value.GetRawText()}");
        }
        return vocabulary;
    }

    /// <summary>GPT-2's own: <c>{"type": "ByteLevel", "add_prefix_space": false, …}</c>.</summary>
    private static bool IsGpt2ByteLevel(JsonElement preTokenizer) =>
        preTokenizer.ValueKind == JsonValueKind.Object
        && preTokenizer.TryGetProperty("type", out var type) && type.GetString() == "ByteLevel"
        && !(preTokenizer.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
        && !(preTokenizer.TryGetProperty("use_regex", out var regex) && regex.ValueKind == JsonValueKind.False);

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}, line {(e.LineNumber ?? 0) + 1}: malformed JSON: {e.Message}", e);
        }
    }

    private static JsonElement Property(JsonElement parent, string name, JsonValueKind kind, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new InvalidDataException($"{path}: expected \"{name}\" to be a JSON {kind.ToString().ToLowerInvariant()}");

    private static InvalidDataException Unsupported(string path, string why) =>
        new($"{path}: not a GPT-2 byte-level BPE tokenizer: {why}");
}
