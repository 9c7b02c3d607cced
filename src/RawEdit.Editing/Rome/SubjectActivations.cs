using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Editing.Rome;

/// <summary>
/// Reads, at the subject's last token of each prompt, the key k (input of the MLP down projection) and
/// the value v = W k + b (the MLP output) of one layer, with the model as it is (no δ).
/// Shapes: keys [P][F], values [P][C].
/// </summary>
public static class SubjectActivations
{
    public static (float[][] Keys, float[][] Values) Read(ICausalLanguageModel model, int layer, IReadOnlyList<IndexedPrompt> prompts)
    {
        var hooks = new ForwardHooks();
        var key = hooks.Capture(HookPoint.MlpKey, layer);
        var value = hooks.Capture(HookPoint.MlpOut, layer);
        var batch = new TokenBatch(prompts.Select(p => p.Ids).ToList(), model.EosTokenId);
        using (Tape.NoGrad()) model.HiddenStates(batch, hooks);
        var keys = key.Required.ToFloatArray();
        var values = value.Required.ToFloatArray();
        int f = model.MlpWidth, c = model.Embedding;
        return (
            prompts.Select((p, b) => keys.AsSpan(batch.Row(b, p.SubjectLast) * f, f).ToArray()).ToArray(),
            prompts.Select((p, b) => values.AsSpan(batch.Row(b, p.SubjectLast) * c, c).ToArray()).ToArray());
    }

    /// <summary>Element-wise mean of equally long vectors.</summary>
    public static float[] Mean(IReadOnlyList<float[]> vectors)
    {
        var mean = new double[vectors[0].Length];
        foreach (var v in vectors)
            for (int i = 0; i < mean.Length; i++) mean[i] += v[i];
        return mean.Select(x => (float)(x / vectors.Count)).ToArray();
    }
}
