using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Parses and validates the length prefix and JSON header of a safetensors file. Every size it
/// accepts has been checked against the real file length, so callers may allocate from it.
/// </summary>
internal static class SafetensorsHeaderParser
{
    /// <summary>Same cap as the reference implementation: headers above 100 MB are refused.</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const int LengthPrefixSize = sizeof(ulong);

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads the u64 header length and checks it against the cap and the file length.</summary>
    public static int ReadHeaderLength(ReadOnlySpan<byte> filePrefix, long fileLength, string source)
    {
        if (fileLength < LengthPrefixSize)
        {
            throw Fail(source, $"file is {fileLength} bytes, shorter than the 8-byte header length prefix");
        }
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(filePrefix);
        if (declared > MaxHeaderLength)
        {
            throw Fail(source, $"header length {declared} exceeds the limit of {MaxHeaderLength} bytes");
        }
        if ((long)declared > fileLength - LengthPrefixSize)
        {
            throw Fail(source, $"header length {declared} runs past the end of the file ({fileLength} bytes)");
        }
        return (int)declared;
    }

    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long fileLength, string source)
    {
        long dataOffset = LengthPrefixSize + (long)json.Length;
        long dataLength = fileLength - dataOffset;
        if (!Utf8.IsValid(json))
        {
            throw Fail(source, "header is not valid UTF-8");
        }
        // The reference implementation insists on '{' as the very first header byte.
        if (json.IsEmpty || json[0] != (byte)'{')
        {
            throw Fail(source, "header must be a JSON object starting with '{'");
        }

        var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        var seenKeys = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            reader.Read();
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                string key = ReadText(ref reader, source);
                if (!seenKeys.Add(key))
                {
                    throw Fail(source, $"duplicate key '{key}' in header");
                }
                Next(ref reader);
                if (key == MetadataKey)
                {
                    metadata = ReadMetadata(ref reader, source);
                }
                else
                {
                    entries.Add(key, ReadEntry(ref reader, key, dataOffset, dataLength, source));
                }
            }
            // Only whitespace (the usual space padding) may follow; anything else makes Read throw.
            if (reader.Read())
            {
                throw Fail(source, "unexpected content after the header object");
            }
        }
        catch (JsonException e)
        {
            throw Fail(source, $"header is not valid JSON: {e.Message}", e);
        }

        SafetensorsLayout.ValidateCoverage(entries.Values, dataLength, source);
        return new SafetensorsHeader(entries.AsReadOnly(), metadata, json.Length, dataOffset, dataLength);
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, string source)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return metadata;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(source, $"'{MetadataKey}' must be a JSON object of strings, found {Describe(reader.TokenType)}");
        }
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = ReadText(ref reader, source);
            if (Next(ref reader) != JsonTokenType.String)
            {
                throw Fail(source, $"'{MetadataKey}' value for '{key}' must be a string, found {Describe(reader.TokenType)}");
            }
            if (!metadata.TryAdd(key, ReadText(ref reader, source)))
            {
                throw Fail(source, $"duplicate key '{key}' in '{MetadataKey}'");
            }
        }
        return metadata.AsReadOnly();
    }

    private static TensorEntry ReadEntry(ref Utf8JsonReader reader, string name,
        long dataOffset, long dataLength, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail(source, $"tensor '{name}' must be a JSON object, found {Describe(reader.TokenType)}");
        }
        string? dtypeText = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = ReadText(ref reader, source);
            Next(ref reader);
            bool duplicate = field switch
            {
                "dtype" => dtypeText is not null,
                "shape" => shape is not null,
                "data_offsets" => offsets is not null,
                _ => false,
            };
            if (duplicate)
            {
                throw Fail(source, $"tensor '{name}' has duplicate field '{field}'");
            }
            switch (field)
            {
                case "dtype":
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw Fail(source, $"tensor '{name}' field 'dtype' must be a string, found {Describe(reader.TokenType)}");
                    }
                    dtypeText = ReadText(ref reader, source);
                    break;
                case "shape":
                    shape = ReadIntegerArray(ref reader, name, "shape", source);
                    break;
                case "data_offsets":
                    offsets = ReadIntegerArray(ref reader, name, "data_offsets", source);
                    break;
                default:
                    // Unknown fields are ignored, as the reference implementation does.
                    reader.Skip();
                    break;
            }
        }

        if (dtypeText is null) throw MissingField(source, name, "dtype");
        if (shape is null) throw MissingField(source, name, "shape");
        if (offsets is null) throw MissingField(source, name, "data_offsets");
        if (!TensorDTypes.TryParseHeaderName(dtypeText, out var dtype))
        {
            throw Fail(source, $"tensor '{name}' has unknown or unsupported dtype '{dtypeText}'");
        }
        if (offsets.Length != 2)
        {
            throw Fail(source, $"tensor '{name}' field 'data_offsets' must hold exactly 2 integers, found {offsets.Length}");
        }
        return BuildEntry(name, dtype, shape, offsets[0], offsets[1], dataOffset, dataLength, source);
    }

    private static TensorEntry BuildEntry(string name, TensorDType dtype, long[] shape, long begin, long end,
        long dataOffset, long dataLength, string source)
    {
        long elementCount = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                throw Fail(source, $"tensor '{name}' has negative dimension {dim} in shape [{string.Join(", ", shape)}]");
            }
            // Checked in order like the reference, so [huge, huge, 0] is refused rather than silently empty.
            if (dim != 0 && elementCount > long.MaxValue / dim)
            {
                throw Fail(source, $"tensor '{name}' element count overflows for shape [{string.Join(", ", shape)}]");
            }
            elementCount *= dim;
        }
        int elementSize = dtype.ByteSize();
        if (elementCount > long.MaxValue / elementSize)
        {
            throw Fail(source, $"tensor '{name}' byte length overflows for shape [{string.Join(", ", shape)}]");
        }
        if (begin > end)
        {
            throw Fail(source, $"tensor '{name}' begin offset {begin} is greater than end offset {end}");
        }
        if (end > dataLength)
        {
            throw Fail(source, $"tensor '{name}' offsets [{begin}, {end}] lie outside the data section of {dataLength} bytes");
        }
        long expected = elementCount * elementSize;
        if (end - begin != expected)
        {
            throw Fail(source, $"tensor '{name}' byte length {end - begin} does not match {expected} = {elementCount} elements x {elementSize} bytes ({dtype.HeaderName()})");
        }
        return new TensorEntry(name, dtype, shape, elementCount, begin, end, dataOffset);
    }

    private static long[] ReadIntegerArray(ref Utf8JsonReader reader, string name, string field, string source)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail(source, $"tensor '{name}' field '{field}' must be an array, found {Describe(reader.TokenType)}");
        }
        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Fail(source, $"tensor '{name}' field '{field}' must hold integers, found {Describe(reader.TokenType)}");
            }
            if (!reader.TryGetInt64(out long value))
            {
                throw Fail(source, $"tensor '{name}' field '{field}' holds a value that is not an integer in the 64-bit range");
            }
            if (value < 0 && field == "data_offsets")
            {
                throw Fail(source, $"tensor '{name}' has negative data offset {value}");
            }
            values.Add(value);
        }
        return values.ToArray();
    }

    /// <summary>GetString throws InvalidOperationException for escaped lone surrogates; report those as bad JSON.</summary>
    private static string ReadText(ref Utf8JsonReader reader, string source)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw Fail(source, $"header is not valid JSON: {e.Message}", e);
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            // Unreachable for a complete header: the reader throws on truncated input itself.
            throw new JsonException("unexpected end of header");
        }
        return reader.TokenType;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static InvalidDataException MissingField(string source, string name, string field) =>
        Fail(source, $"tensor '{name}' is missing field '{field}'");

    internal static InvalidDataException Fail(string source, string problem, Exception? inner = null) =>
        CheckpointFormatError.Create(source, problem, inner);
}
