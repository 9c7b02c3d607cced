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

    public static Tensor Hook(ForwardHooks? hooks, HookPoint point, int layer, Tensor x) =>
        hooks is null ? x : hooks.Apply(point, layer, x);
}
