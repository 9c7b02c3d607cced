using System.Text.Json;
using System.Text.Json.Nodes;
using RawEdit.Tensors;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Models.Checkpoints;

/// <summary>What every architecture does the same way with its weights: read them (fp32, or half matrices as stored), check them, save them back.</summary>
internal static class CheckpointParameters
{
    public sealed record Read(Dictionary<string, Tensor> Parameters, Dictionary<string, TensorDType> StoredTypes);

    /// <summary>
    /// Every floating-point tensor of the checkpoint under <paramref name="nameOf"/>(key), skipping keys
    /// <paramref name="isIgnored"/> names (mask buffers, a tied head); remembers each stored dtype. Tensors become fp32,
    /// except that F16/BF16 matrices stay half (mapped in place where the format allows) when
    /// <paramref name="precision"/> says so.
    /// </summary>
    public static Read ReadParameters(ITensorCheckpoint checkpoint, string folder, string architecture,
        Func<string, bool> isIgnored, Func<string, string> nameOf, WeightPrecision precision)
    {
        var keys = checkpoint.Names.Where(k => !isIgnored(k)).ToList();
        foreach (var key in keys)
        {
            var dtype = checkpoint.DTypeOf(key);
            if (!dtype.IsFloat32Convertible())
                throw new InvalidDataException($"{folder}: parameter '{key}' has dtype {dtype}; {architecture} weights must be floating point");
        }
        bool IsHalfMatrix(string key) => checkpoint.DTypeOf(key) is TensorDType.F16 or TensorDType.BF16 && checkpoint.ShapeOf(key).Length == 2;
        bool keepHalf = precision.KeepsHalf(keys.Where(IsHalfMatrix).Sum(k => checkpoint.ShapeOf(k).Aggregate(1L, (a, d) => a * d)));

        var parameters = new Dictionary<string, Tensor>();
        var stored = new Dictionary<string, TensorDType>();
        foreach (var key in keys)
        {
            var shape = checkpoint.ShapeOf(key).Select(d => checked((int)d)).ToArray();
            string name = nameOf(key);
            parameters[name] = keepHalf && IsHalfMatrix(key) ? HalfTensor(checkpoint, key, shape)
                : Tensor.FromHost(shape, values => checkpoint.ReadAsFloat32(key, values));
            stored[name] = checkpoint.DTypeOf(key);
        }
        return new Read(parameters, stored);
    }

    // A half matrix kept as stored: mapped in place, or (formats that cannot map) copied into pinned half memory.
    private static Tensor HalfTensor(ITensorCheckpoint checkpoint, string key, int[] shape)
    {
        var backend = (CpuBackend)Backends.Default;
        if (checkpoint.MapHalf(key, backend) is { } mapped) return new Tensor(mapped, shape);
        var kind = checkpoint.DTypeOf(key) == TensorDType.F16 ? DType.F16 : DType.BF16;
        var values = checkpoint.ReadAsFloat32(key);
        var half = CpuHalfStorage.Allocate(kind, values.Length, backend);
        HalfPrecision.FromSingle(kind, values, half.WritableBits(0, values.Length));   // exact: the values came from halves
        return new Tensor(half, shape);
    }

    /// <summary>Causal-mask buffers (<c>h.N.attn.bias</c>, <c>h.N.attn.masked_bias</c>) that older GPT-2 and GPT-J checkpoints carry.</summary>
    public static bool IsMaskBuffer(string key) =>
        key.EndsWith(".attn.bias", StringComparison.Ordinal) || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal);

    /// <summary>A copy of <paramref name="given"/> after checking it holds exactly the expected F32 (or half-stored matrix) parameters.</summary>
    public static Dictionary<string, Tensor> Validated(string architecture, IDictionary<string, Tensor> given,
        IEnumerable<(string Name, int[] Shape)> expected)
    {
        var parameters = new Dictionary<string, Tensor>(given);
        var expectedNames = new HashSet<string>();
        foreach (var (name, shape) in expected)
        {
            expectedNames.Add(name);
            if (!parameters.TryGetValue(name, out var t))
                throw new InvalidDataException($"{architecture} checkpoint is missing '{name}'");
            if (!Shape.SameAs(t.Shape, shape))
                throw new InvalidDataException($"{architecture} parameter '{name}' has shape {Shape.Format(t.Shape)}, config expects {Shape.Format(shape)}");
            if (t.DType != DType.F32 && !(t.DType.IsStorageOnly() && t.Rank == 2))
                throw new InvalidDataException($"{architecture} parameter '{name}' must be F32 in memory (or F16/BF16 for a matrix)");
        }
        var extra = parameters.Keys.Where(k => !expectedNames.Contains(k)).ToList();
        if (extra.Count > 0) throw new InvalidDataException($"unexpected {architecture} parameters: {string.Join(", ", extra.Take(5))}");
        return parameters;
    }

    /// <summary>
    /// Writes config.json and model.safetensors (each atomically: temp file, then rename). Each parameter is saved under
    /// its checkpoint key in its stored dtype when that is F16/BF16 (half checkpoints stay half), else F32.
    /// </summary>
    public static void Save(string folder, IEnumerable<(string Key, string Name, int[] Shape)> layout,
        IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, TensorDType>? storedTypes,
        IReadOnlyDictionary<string, string>? metadata, JsonObject config)
    {
        Directory.CreateDirectory(folder);
        var sources = layout.Select(p =>
        {
            var tensor = parameters[p.Name];
            var dtype = storedTypes is not null && storedTypes.TryGetValue(p.Name, out var t) && t is TensorDType.F16 or TensorDType.BF16 ? t : TensorDType.F32;
            return TensorWriteSource.FromFloat32(p.Key, dtype, p.Shape.Select(d => (long)d).ToArray(), () => tensor.ToFloatArray());
        }).ToList();
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), sources, meta);
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
