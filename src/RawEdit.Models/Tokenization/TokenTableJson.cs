using System.Text.Json;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// Reads a JSON object mapping tokens to ids: a GPT-2 vocabulary (<c>encoder.json</c>, or <c>vocab.json</c> in
/// Hugging Face checkpoints, tokens spelled in GPT-2's byte-level alphabet) or a Hugging Face
/// <c>added_tokens.json</c>. Errors name the file and line, which the library's own loader does not.
/// </summary>
internal static class TokenTableJson
{
    // Far above any real GPT-2-family vocabulary; guards against allocating for a corrupt id.
    public const int MaxId = 10_000_000;

    /// <exception cref="InvalidDataException">The JSON is malformed, is not a token → id table, or repeats a token.</exception>
    public static Dictionary<string, int> Parse(byte[] utf8Json, string fileName)
    {
        ReadOnlySpan<byte> json = utf8Json;
        if (json.StartsWith("\uFEFF"u8))
            json = json[3..];

        var idOfToken = new Dictionary<string, int>(capacity: 50_257, StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Malformed(fileName, json, reader.TokenStartIndex, "expected a JSON object mapping tokens to ids");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string token = reader.GetString()!;
                long tokenStart = reader.TokenStartIndex;
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id) || id is < 0 or > MaxId)
                    throw Malformed(fileName, json, tokenStart, $"the id of token \"{token}\" is not an integer in 0..{MaxId}");
                if (token.Length == 0)
                    throw Malformed(fileName, json, tokenStart, "empty token");
                if (!idOfToken.TryAdd(token, id))
                    throw Malformed(fileName, json, tokenStart, $"token \"{token}\" appears twice");
            }
            if (reader.TokenType != JsonTokenType.EndObject)
                throw Malformed(fileName, json, reader.TokenStartIndex, "expected a token string or the end of the object");
            if (reader.Read())
                throw Malformed(fileName, json, reader.TokenStartIndex, "unexpected content after the JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{fileName}, line {(e.LineNumber ?? 0) + 1}: malformed JSON: {e.Message}", e);
        }
        return idOfToken;
    }

    private static InvalidDataException Malformed(string fileName, ReadOnlySpan<byte> json, long offset, string what)
    {
        int line = 1 + json[..(int)Math.Min(offset, json.Length)].Count((byte)'\n');
        return new InvalidDataException($"{fileName}, line {line}: {what}");
    }
}
