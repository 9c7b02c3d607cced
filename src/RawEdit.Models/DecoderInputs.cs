using RawEdit.Models.Hooks;
using RawEdit.Tensors;

namespace RawEdit.Models;

/// <summary>Argument checks and hook dispatch shared by the decoder models.</summary>
internal static class DecoderInputs
{
    public static void CheckBatch(TokenBatch batch, int positions, int vocabSize)
    {
        if (batch.Time > positions)
            throw new ArgumentException($"sequence of {batch.Time} tokens exceeds the model's {positions} positions");
        foreach (int id in batch.Ids)
            if ((uint)id >= (uint)vocabSize) throw new ArgumentOutOfRangeException(nameof(batch), $"token id {id} outside the vocabulary of {vocabSize}");
    }

    public static int CheckLayer(int layer, int layers) =>
        layer >= 0 && layer < layers ? layer : throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} outside [0, {layers})");

    /// <summary>The parameters with some replaced by name (nothing copied); every replaced name must exist.</summary>
    public static Dictionary<string, Tensor> Replaced(IReadOnlyDictionary<string, Tensor> parameters, IReadOnlyDictionary<string, Tensor> replacements)
    {
        var merged = new Dictionary<string, Tensor>(parameters);
        foreach (var (name, tensor) in replacements)
            merged[name] = parameters.ContainsKey(name) ? tensor : throw new ArgumentException($"the model has no parameter '{name}' to replace");
        return merged;
    }

    public static Tensor Hook(ForwardHooks? hooks, HookPoint point, int layer, Tensor x) =>
        hooks is null ? x : hooks.Apply(point, layer, x);
}
