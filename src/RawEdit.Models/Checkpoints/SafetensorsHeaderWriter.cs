using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Serialises a header the way the reference implementation does: compact JSON, "__metadata__"
/// first, tensors in data order, only quote/backslash/control characters escaped, then padded
/// with spaces so the data section starts on an 8-byte boundary.
/// </summary>
internal static class SafetensorsHeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns the 8-byte length prefix followed by the padded JSON header.</summary>
    public static byte[] Build(IReadOnlyList<TensorWriteSource> orderedTensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder();
        json.Append('{');
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            AppendString(json, "__metadata__");
            json.Append(":{");
            bool firstPair = true;
            foreach (var pair in metadata.OrderBy(p => p.Key, Utf8OrdinalComparer.Instance))
            {
                if (!firstPair) json.Append(',');
                firstPair = false;
                AppendString(json, pair.Key);
                json.Append(':');
                AppendString(json, pair.Value ?? throw new ArgumentException($"Metadata value for '{pair.Key}' is null."));
            }
            json.Append('}');
            first = false;
        }

        long offset = 0;
        foreach (var tensor in orderedTensors)
        {
            if (!first) json.Append(',');
            first = false;
            AppendString(json, tensor.Name);
            json.Append(":{\"dtype\":\"").Append(tensor.DType.HeaderName()).Append("\",\"shape\":[");
            var shape = tensor.ShapeSpan;
            for (int i = 0; i < shape.Length; i++)
            {
                if (i > 0) json.Append(',');
                json.Append(shape[i].ToString(CultureInfo.InvariantCulture));
            }
            long end = checked(offset + tensor.ByteLength);
            json.Append("],\"data_offsets\":[")
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset = end;
        }
        json.Append('}');

        byte[] body = StrictUtf8.GetBytes(json.ToString());
        int padded = (body.Length + 7) / 8 * 8;
        if (padded > SafetensorsHeaderParser.MaxHeaderLength)
        {
            throw new InvalidOperationException($"Header would be {padded} bytes, above the {SafetensorsHeaderParser.MaxHeaderLength}-byte limit readers enforce.");
        }
        var result = new byte[SafetensorsHeaderParser.LengthPrefixSize + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        body.CopyTo(result, SafetensorsHeaderParser.LengthPrefixSize);
        result.AsSpan(SafetensorsHeaderParser.LengthPrefixSize + body.Length).Fill((byte)' ');
        return result;
    }

    internal static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }
}

/// <summary>Orders strings by their UTF-8 bytes, the order the reference implementation sorts names in.</summary>
internal sealed class Utf8OrdinalComparer : IComparer<string>
{
    public static readonly Utf8OrdinalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        // UTF-16 ordinal order differs from UTF-8 byte order only when surrogates meet U+E000..U+FFFF.
        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }
}
