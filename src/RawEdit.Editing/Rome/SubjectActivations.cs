using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Editing.Rome;

/// <summary>
/// Reads activations at the subject's last token of each prompt, with the model as it is (no δ):
/// ROME's key k (input of the MLP down projection) and value v = W k + b (the MLP output) of one layer,
/// or any (point, layer) pairs, prompts run a bounded number at a time. Shapes: [P][width].
/// </summary>
internal static class SubjectActivations
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
                AtSubjects(captured[k].Required, batch, chunk).CopyTo(result[k], start);
        }
        return result;
    }

    /// <summary>activation [B,T,W] of a batch whose first sequences are <paramref name="prompts"/> → [P][W] at their subjects' last tokens.</summary>
    public static float[][] AtSubjects(Tensor activation, TokenBatch batch, IReadOnlyList<IndexedPrompt> prompts)
    {
        int width = activation.Shape[^1];
        var flat = activation.ToFloatArray();
        return prompts.Select((p, b) => flat.AsSpan(batch.Row(b, p.SubjectLast) * width, width).ToArray()).ToArray();
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
