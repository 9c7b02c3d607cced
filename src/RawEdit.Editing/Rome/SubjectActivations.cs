using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Editing.Rome;

/// <summary>
/// Reads activations at the subject's last token of each prompt, with the model as it is (no δ):
/// ROME's key k (input of the MLP down projection) and value v = W k + b (the MLP output) of one layer,
/// or any (point, layer) pairs, prompts run a bounded number at a time. Shapes: [P][width].
/// </summary>
public static class SubjectActivations
{
    public static (float[][] Keys, float[][] Values) Read(ICausalLanguageModel model, int layer, IReadOnlyList<IndexedPrompt> prompts)
    {
        var read = Read(model, prompts, [(HookPoint.MlpKey, layer), (HookPoint.MlpOut, layer)]);
        return (read[0], read[1]);
    }

    /// <summary>Per point [P][width]: the activation at each prompt's subject-last token, <paramref name="promptsPerForward"/> prompts per forward pass.</summary>
    public static float[][][] Read(ICausalLanguageModel model, IReadOnlyList<IndexedPrompt> prompts, IReadOnlyList<(HookPoint Point, int Layer)> points,
        int promptsPerForward = int.MaxValue)
    {
        var result = points.Select(_ => new float[prompts.Count][]).ToArray();
        for (int start = 0; start < prompts.Count; start += promptsPerForward)
        {
            var chunk = prompts.Skip(start).Take(promptsPerForward).ToList();
            var hooks = new ForwardHooks();
            var captured = points.Select(p => hooks.Capture(p.Point, p.Layer)).ToList();
            var batch = new TokenBatch(chunk.Select(p => p.Ids).ToList(), model.EosTokenId);
            using (Tape.NoGrad()) model.HiddenStates(batch, hooks, lastBlock: points.Max(p => p.Layer));
            for (int k = 0; k < points.Count; k++)
            {
                var values = captured[k].Required;
                int width = values.Shape[^1];
                var flat = values.ToFloatArray();
                for (int b = 0; b < chunk.Count; b++)
                    result[k][start + b] = flat.AsSpan(batch.Row(b, chunk[b].SubjectLast) * width, width).ToArray();
            }
        }
        return result;
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
