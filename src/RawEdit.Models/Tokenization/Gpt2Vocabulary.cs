using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// The token ↔ id table of a GPT-2 vocabulary file (<c>encoder.json</c>, or <c>vocab.json</c> in Hugging Face
/// checkpoints): a JSON object whose keys are tokens spelled in the <see cref="ByteLevelAlphabet"/>.
/// </summary>
internal sealed class Gpt2Vocabulary
{
    // Far above any real GPT-2-family vocabulary; guards against allocating for a corrupt id.
    private const int MaxId = 10_000_000;

    private readonly Dictionary<string, int> _idOfToken;
    private readonly string?[] _tokenOfId;
    private readonly byte[]?[] _bytesOfId;

    private Gpt2Vocabulary(Dictionary<string, int> idOfToken, string?[] tokenOfId, byte[]?[] bytesOfId)
    {
        _idOfToken = idOfToken;
        _tokenOfId = tokenOfId;
        _bytesOfId = bytesOfId;
    }

    /// <summary>One more than the largest id.</summary>
    public int Size => _tokenOfId.Length;

    public bool TryGetId(string token, out int id) => _idOfToken.TryGetValue(token, out id);

    public bool TryGetToken(int id, [NotNullWhen(true)] out string? token)
    {
        token = (uint)id < (uint)_tokenOfId.Length ? _tokenOfId[id] : null;
        return token is not null;
    }

    /// <summary>The raw bytes the token stands for, or null when <paramref name="id"/> is not in the vocabulary.</summary>
    public byte[]? BytesOf(int id) => (uint)id < (uint)_bytesOfId.Length ? _bytesOfId[id] : null;

    /// <exception cref="InvalidDataException">The JSON is malformed or is not a token → id table.</exception>
    public static Gpt2Vocabulary Parse(byte[] utf8Json, string fileName)
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
                if (!IsInAlphabet(token))
                    throw Malformed(fileName, json, tokenStart,
                        $"token \"{token}\" has a character outside the GPT-2 byte-level alphabet");
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
        return Build(idOfToken, fileName);
    }

    private static Gpt2Vocabulary Build(Dictionary<string, int> idOfToken, string fileName)
    {
        if (idOfToken.Count == 0)
            throw new InvalidDataException($"{fileName}: the vocabulary is empty");
        int size = idOfToken.Values.Max() + 1;
        var tokenOfId = new string?[size];
        var bytesOfId = new byte[]?[size];
        foreach (var (token, id) in idOfToken)
        {
            if (tokenOfId[id] is { } other)
                throw new InvalidDataException($"{fileName}: id {id} is given to both \"{other}\" and \"{token}\"");
            tokenOfId[id] = token;
            bytesOfId[id] = ToBytes(token);
        }
        return new Gpt2Vocabulary(idOfToken, tokenOfId, bytesOfId);
    }

    private static bool IsInAlphabet(string token)
    {
        foreach (char c in token)
            if (!ByteLevelAlphabet.TryGetByte(c, out _))
                return false;
        return true;
    }

    private static byte[] ToBytes(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
            ByteLevelAlphabet.TryGetByte(token[i], out bytes[i]);
        return bytes;
    }

    private static InvalidDataException Malformed(string fileName, ReadOnlySpan<byte> json, long offset, string what)
    {
        int line = 1 + json[..(int)Math.Min(offset, json.Length)].Count((byte)'\n');
        return new InvalidDataException($"{fileName}, line {line}: {what}");
    }
}
