using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>
/// Produces damaged variants of a valid safetensors file for fuzzing: raw byte damage, length
/// prefix rewrites, and structural edits to the JSON header that keep the file well framed so
/// the deeper validation rules are reached. Every choice comes from the supplied Random.
/// </summary>
internal static class SafetensorsMutator
{
    private static readonly string[] DTypeSpellings =
    {
        "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "U16", "U32", "U64", "BOOL",
        "F8_E5M2", "F8_E4M3", "F99", "", "f32", "bf16", "F4", "C64", "F32 ", "\u0000",
    };

    private static readonly long[] InterestingNumbers =
    {
        0, 1, 2, 7, 8, 9, -1, -8, 255, 256, 65535, 1L << 31, 1L << 32, (1L << 53) + 1, 1L << 62, long.MaxValue, long.MinValue,
    };

    public static byte[] Mutate(byte[] file, Random random, List<string> log)
    {
        switch (random.Next(10))
        {
            case 0: case 1: return FlipBytes(file, random, log);
            case 2: return Truncate(file, random, log);
            case 3: return Append(file, random, log);
            case 4: return RewriteHeaderLength(file, random, log);
            default: return MutateJsonOrBytes(file, random, log);
        }
    }

    private static byte[] MutateJsonOrBytes(byte[] file, Random random, List<string> log)
    {
        try
        {
            return MutateJson(file, random, log);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Earlier mutations left JSON that System.Text.Json.Nodes cannot edit (bad UTF-8, duplicate keys).
            return FlipBytes(file, random, log);
        }
    }

    private static byte[] FlipBytes(byte[] file, Random random, List<string> log)
    {
        if (file.Length == 0) return Append(file, random, log);
        var copy = (byte[])file.Clone();
        int headerEnd = (int)Math.Min(copy.Length, 8 + (long)Math.Min(DeclaredHeaderLength(copy), int.MaxValue));
        int count = 1 + random.Next(8);
        for (int i = 0; i < count; i++)
        {
            // Mostly inside the prefix and header, where bytes carry structure.
            int position = random.Next(3) > 0 ? random.Next(headerEnd) : random.Next(copy.Length);
            copy[position] = random.Next(2) == 0 ? (byte)random.Next(256) : (byte)(copy[position] ^ (1 << random.Next(8)));
        }
        log.Add($"flip {count} bytes");
        return copy;
    }

    private static byte[] Truncate(byte[] file, Random random, List<string> log)
    {
        int length = random.Next(file.Length);
        log.Add($"truncate to {length}");
        return file[..length];
    }

    private static byte[] Append(byte[] file, Random random, List<string> log)
    {
        var extra = new byte[1 + random.Next(16)];
        random.NextBytes(extra);
        log.Add($"append {extra.Length} bytes");
        return file.Concat(extra).ToArray();
    }

    private static byte[] RewriteHeaderLength(byte[] file, Random random, List<string> log)
    {
        if (file.Length < 8) return Append(file, random, log);
        var copy = (byte[])file.Clone();
        ulong current = DeclaredHeaderLength(copy);
        ulong rest = (ulong)copy.Length - 8;
        ulong[] choices =
        {
            0, ulong.MaxValue, (ulong)random.NextInt64(), 100_000_000, 100_000_001, rest, rest + 1,
            current + (ulong)random.Next(1, 9), current - (ulong)random.Next(1, 9),
        };
        ulong value = choices[random.Next(choices.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(copy, value);
        log.Add($"header length {current} -> {value}");
        return copy;
    }

    private static byte[] MutateJson(byte[] file, Random random, List<string> log)
    {
        ulong declared = DeclaredHeaderLength(file);
        if (file.Length < 8 || declared > (ulong)file.Length - 8) return FlipBytes(file, random, log);
        byte[] headerBytes = file.AsSpan(8, (int)declared).ToArray();
        byte[] data = file[(8 + (int)declared)..];
        var root = JsonNode.Parse(headerBytes) as JsonObject;
        if (root is null)
        {
            return FlipBytes(file, random, log);
        }

        string json = EditTree(root, random, log);
        switch (random.Next(12))
        {
            case 0: json = DuplicateFirstMember(json, log); break;
            case 1: json = InjectText(json, random, log); break;
        }
        if (random.Next(6) == 0)
        {
            data = ResizeData(data, random, log);
        }
        int padTo = random.Next(4) == 0 ? 1 : 8;
        return RawSafetensors.Build(json, data, padTo: padTo);
    }

    private static string EditTree(JsonObject root, Random random, List<string> log)
    {
        var tensors = root.Where(p => p.Key != "__metadata__" && p.Value is JsonObject).Select(p => p.Key).ToList();
        if (tensors.Count == 0)
        {
            root[$"t{random.Next(100)}"] = JsonNode.Parse("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}");
            log.Add("json: add tensor");
            return root.ToJsonString();
        }
        string name = tensors[random.Next(tensors.Count)];
        var entry = root[name]!.AsObject();
        switch (random.Next(11))
        {
            case 0:
            {
                string other = tensors[random.Next(tensors.Count)];
                var offsets = entry["data_offsets"]?.DeepClone();
                entry["data_offsets"] = root[other]!["data_offsets"]?.DeepClone();
                root[other]!["data_offsets"] = offsets;
                log.Add($"json: swap offsets {name} <-> {other}");
                break;
            }
            case 10:
            {
                // Alias another tensor's bytes: same dtype, shape and offsets, which must read as overlap.
                string other = tensors[random.Next(tensors.Count)];
                foreach (string field in new[] { "dtype", "shape", "data_offsets" })
                {
                    entry[field] = root[other]![field]?.DeepClone();
                }
                log.Add($"json: alias {name} onto {other}");
                break;
            }
            case 1:
                entry["dtype"] = DTypeSpellings[random.Next(DTypeSpellings.Length)];
                log.Add($"json: {name}.dtype = {entry["dtype"]!.ToJsonString()}");
                break;
            case 2:
                EditShape(entry, random, log, name);
                break;
            case 3:
            {
                string field = new[] { "dtype", "shape", "data_offsets" }[random.Next(3)];
                entry.Remove(field);
                log.Add($"json: delete {name}.{field}");
                break;
            }
            case 4:
            {
                string field = new[] { "dtype", "shape", "data_offsets", "extra" }[random.Next(4)];
                int depth = 1 + random.Next(100);
                entry[field] = Nested(depth, random);
                log.Add($"json: {name}.{field} = nesting depth {depth}");
                break;
            }
            case 5:
                EditOffsets(entry, random, log, name);
                break;
            case 6:
            {
                JsonNode?[] replacements = { JsonValue.Create(5), new JsonArray(), JsonValue.Create("x"), null, new JsonObject { ["k"] = 1 } };
                var replacement = replacements[random.Next(replacements.Length)];
                string target = random.Next(2) == 0 ? "__metadata__" : name;
                root[target] = replacement;
                log.Add($"json: replace {target} with {replacement?.ToJsonString() ?? "null"}");
                break;
            }
            case 7:
                root.Remove(name);
                log.Add($"json: remove tensor {name}");
                break;
            case 8:
            {
                var moved = root[name]!.DeepClone();
                root.Remove(name);
                string newName = random.Next(2) == 0 ? "__metadata__" : name + "\u00e9";
                root[newName] = moved;
                log.Add($"json: rename {name} -> {newName}");
                break;
            }
            default:
                entry["shape"] = JsonNode.Parse("[" + string.Join(",", Enumerable.Range(0, random.Next(6)).Select(_ => random.Next(4))) + "]");
                log.Add($"json: {name}.shape = {entry["shape"]!.ToJsonString()}");
                break;
        }
        return root.ToJsonString();
    }

    private static void EditShape(JsonObject entry, Random random, List<string> log, string name)
    {
        if (entry["shape"] is not JsonArray shape || shape.Count == 0)
        {
            entry["shape"] = new JsonArray(JsonValue.Create(InterestingNumbers[random.Next(InterestingNumbers.Length)]));
            log.Add($"json: {name}.shape reset");
            return;
        }
        int axis = random.Next(shape.Count);
        long dim = shape[axis] is JsonValue v && v.TryGetValue(out long d) ? d : 1;
        long[] candidates = { -dim, dim * 2, dim + 1, dim - 1, 0, InterestingNumbers[random.Next(InterestingNumbers.Length)] };
        switch (random.Next(3))
        {
            case 0: shape[axis] = candidates[random.Next(candidates.Length)]; break;
            case 1: shape.Add(random.Next(2) == 0 ? 1 : InterestingNumbers[random.Next(InterestingNumbers.Length)]); break;
            default: shape.RemoveAt(axis); break;
        }
        log.Add($"json: {name}.shape = {shape.ToJsonString()}");
    }

    private static void EditOffsets(JsonObject entry, Random random, List<string> log, string name)
    {
        if (entry["data_offsets"] is not JsonArray offsets || offsets.Count == 0)
        {
            entry["data_offsets"] = new JsonArray(0, 4);
            log.Add($"json: {name}.data_offsets reset");
            return;
        }
        int index = random.Next(offsets.Count);
        long value = offsets[index] is JsonValue v && v.TryGetValue(out long o) ? o : 0;
        JsonNode?[] candidates =
        {
            JsonValue.Create(value + random.Next(-8, 9)), JsonValue.Create(InterestingNumbers[random.Next(InterestingNumbers.Length)]),
            JsonValue.Create(1.5), JsonValue.Create("0"), JsonValue.Create(1e300), null,
        };
        offsets[index] = candidates[random.Next(candidates.Length)];
        if (random.Next(5) == 0) offsets.Add(0);
        log.Add($"json: {name}.data_offsets = {offsets.ToJsonString()}");
    }

    private static JsonNode Nested(int depth, Random random)
    {
        JsonNode node = JsonValue.Create(random.Next(10));
        for (int i = 0; i < depth; i++)
        {
            node = random.Next(2) == 0 ? new JsonArray(node) : new JsonObject { ["n"] = node };
        }
        return node;
    }

    private static string DuplicateFirstMember(string json, List<string> log)
    {
        // Re-insert the first "key":value pair, producing duplicate keys that JsonNode cannot express.
        using var document = JsonDocument.Parse(json);
        var first = document.RootElement.EnumerateObject().FirstOrDefault();
        if (first.Value.ValueKind == JsonValueKind.Undefined) return json;
        string member = JsonSerializer.Serialize(first.Name) + ":" + first.Value.GetRawText();
        log.Add($"text: duplicate key {first.Name}");
        return "{" + member + "," + json[1..];
    }

    /// <summary>Splices raw JSON text that the node API cannot produce: bad escapes, lone surrogates, stray tokens.</summary>
    private static string InjectText(string json, Random random, List<string> log)
    {
        string[] snippets = { "\"\\ud800\":{},", "\"\\udc00x\":1,", "\"\\x\":1,", "\"a\"", ",", "]", "{", "\"__metadata__\":{\"k\":\"\\ud83d\"},", "1e999," };
        string snippet = snippets[random.Next(snippets.Length)];
        int position = random.Next(2) == 0 ? 1 : 1 + random.Next(json.Length - 1);
        log.Add($"text: insert {snippet} at {position}");
        return json[..position] + snippet + json[position..];
    }

    private static byte[] ResizeData(byte[] data, Random random, List<string> log)
    {
        int delta = random.Next(-8, 9);
        int length = Math.Max(0, data.Length + delta);
        log.Add($"data length {data.Length} -> {length}");
        var resized = new byte[length];
        Array.Copy(data, resized, Math.Min(length, data.Length));
        return resized;
    }

    private static ulong DeclaredHeaderLength(byte[] file) =>
        file.Length < 8 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(file);
}
