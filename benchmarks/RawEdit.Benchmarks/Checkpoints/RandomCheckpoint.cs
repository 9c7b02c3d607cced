using System.Text.Json;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.GptJ;

namespace RawEdit.Benchmarks.Checkpoints;

/// <summary>
/// Writes a random checkpoint shaped like a real one, the way users have them: bf16, sharded at 2 GB with an index,
/// Hugging Face keys. gpt2-xl is GPT-2 XL (1.56 B parameters, 3.1 GB), gptj-6b is GPT-J 6B (6.05 B, 12.1 GB);
/// gpt2-small and gptj-small are 2-layer miniatures for smoke runs. Matrices are uniform with GPT-2's 0.02 standard
/// deviation, layer-norm scales 1 and biases 0, so activations stay in range.
/// </summary>
public static class RandomCheckpoint
{
    private const long ShardBytes = 2_000_000_000;

    public static int Write(string shape, string folder)
    {
        if (File.Exists(Path.Combine(folder, "model.safetensors.index.json"))) { Console.WriteLine($"{folder}: already written"); return 0; }
        var (names, config) = shape switch
        {
            "gpt2-xl" => Gpt2(new Gpt2Config { Embedding = 1600, Layers = 48, Heads = 25 }),
            "gpt2-small" => Gpt2(new Gpt2Config { Embedding = 64, Layers = 2, Heads = 2 }),
            "gptj-6b" => GptJ(new GptJConfig()),
            "gptj-small" => GptJ(new GptJConfig { Embedding = 64, Layers = 2, Heads = 4, RotaryDim = 8 }),
            _ => throw new ArgumentException($"unknown shape '{shape}' (gpt2-xl, gptj-6b, gpt2-small, gptj-small)"),
        };
        Directory.CreateDirectory(folder);
        int seed = 0;
        var sources = names.Select(p => TensorWriteSource.FromRaw(p.Name, TensorDType.BF16, p.Shape.Select(d => (long)d).ToArray(),
            () => RandomBFloat16(p.Name, p.Shape, ++seed))).ToList();
        SafetensorsWriter.WriteSharded(folder, sources, ShardBytes, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"{folder}: {names.Sum(p => p.Shape.Aggregate(1L, (a, d) => a * d)):N0} parameters");
        return 0;
    }

    private static (List<(string Name, int[] Shape)>, System.Text.Json.Nodes.JsonObject) Gpt2(Gpt2Config c) =>
        (Gpt2Model.ExpectedShapes(c).ToList(), c.ToJson());

    private static (List<(string Name, int[] Shape)>, System.Text.Json.Nodes.JsonObject) GptJ(GptJConfig c) =>
        (GptJModel.ExpectedShapes(c).ToList(), c.ToJson());

    // bf16 bytes: LN scales 1, vectors 0, matrices uniform on ±0.02·√3 from a per-tensor xorshift.
    private static ReadOnlyMemory<byte> RandomBFloat16(string name, int[] shape, int seed)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var bytes = new byte[count * 2];
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());   // little-endian host
        if (shape.Length == 1)
        {
            ushort constant = name.Contains(".ln_") && name.EndsWith(".weight") ? (ushort)0x3F80 : (ushort)0;
            bits.Fill(constant);
        }
        else
        {
            ulong state = 0x9E3779B97F4A7C15UL * (ulong)(seed + 1);
            const float scale = 0.02f * 1.7320508f * 2 / (1u << 24);
            for (int i = 0; i < bits.Length; i++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                float value = (int)(state >> 40) * scale - 0.02f * 1.7320508f;
                bits[i] = (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16);
            }
        }
        return bytes;
    }
}
