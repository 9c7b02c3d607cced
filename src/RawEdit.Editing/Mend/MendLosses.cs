using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;

namespace RawEdit.Editing.Mend;

/// <summary>MEND's two losses (losses.py), recorded on the active tape.</summary>
internal static class MendLosses
{
    /// <summary>
    /// NLL = −(1/n)·Σ log p(target token | prefix) over all n target tokens of the batch (masked_log_probs).
    /// </summary>
    public static Tensor TargetNll(ICausalLanguageModel model, IReadOnlyList<TargetedSequence> sequences, ForwardHooks? hooks = null)
    {
        var (logits, targets, head) = TargetLogits(model, sequences, hooks);
        return Ops.CrossEntropy(logits, targets.Select(head.Column).ToArray());
    }

    /// <summary>
    /// Logits [n, W] at the rows predicting the n target tokens of the batch (only those rows are unembedded), the tokens,
    /// and the head whose columns the logits are (<see cref="VocabularyHead"/>: every target has a column).
    /// </summary>
    public static (Tensor Logits, int[] Targets, VocabularyHead Head) TargetLogits(ICausalLanguageModel model, IReadOnlyList<TargetedSequence> sequences,
        ForwardHooks? hooks = null)
    {
        var batch = new TokenBatch(sequences.Select(s => s.Ids).ToList(), model.EosTokenId);
        var rows = new List<int>();
        var targets = new List<int>();
        for (int b = 0; b < sequences.Count; b++)
            for (int t = sequences[b].TargetStart; t < sequences[b].Ids.Length; t++)
            {
                rows.Add(batch.Row(b, t - 1));
                targets.Add(sequences[b].Ids[t]);
            }
        var hidden = Ops.Reshape(model.HiddenStates(batch, hooks), -1, model.Embedding);
        var head = VocabularyHead.Covering(model, targets);
        return (head.Logits(model, Ops.GatherRows(hidden, [.. rows])), [.. targets], head);
    }

    /// <summary>
    /// Log-probabilities [R, W] at every real token of the locality batch, R = Σ lengths, over the columns of the model's
    /// <see cref="VocabularyHead"/> (a KL divergence over them is the full vocabulary's).
    /// </summary>
    public static Tensor LocalityLogProbabilities(ICausalLanguageModel model, IReadOnlyList<int[]> texts)
    {
        var batch = new TokenBatch(texts, model.EosTokenId);
        var rows = texts.SelectMany((s, b) => Enumerable.Range(0, s.Length).Select(t => batch.Row(b, t))).ToArray();
        var hidden = Ops.Reshape(model.HiddenStates(batch), -1, model.Embedding);
        return Ops.LogSoftmax(VocabularyHead.Of(model).Logits(model, Ops.GatherRows(hidden, rows)));
    }

    /// <summary>KL(p_pre ‖ p_post) summed over the vocabulary and averaged over tokens (kl_loc_loss); pre is a constant.</summary>
    public static Tensor LocalityKl(Tensor preLogProbabilities, Tensor postLogProbabilities) =>
        Ops.Scale(Ops.KlDivergence(preLogProbabilities, postLogProbabilities), 1.0 / preLogProbabilities.Shape[0]);
}
