using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Optim;

namespace RawEdit.Editing.Rome;

/// <summary>
/// The optimised δ, the value it starts from, and how the optimisation went. SubjectReads [point][rewrite prompt][width]:
/// the activations asked for, read in the frozen pass at each rewrite prompt's subject (the unedited model's).
/// </summary>
internal sealed record ValueOptimization(float[] Delta, float[] VInit, double[] LossTrace, int AdamSteps, string StopReason, float[][][] SubjectReads)
{
    /// <summary>v* = v_init + δ, the value the edited layer should produce for the subject.</summary>
    public float[] VStar => VInit.Zip(Delta, (v, d) => v + d).ToArray();
}

/// <summary>
/// ROME's value optimisation (compute_v): find δ ∈ R^C, added to the activation at the hook point (<c>point</c>)
/// of one layer at the subject's last token of every prompt, minimising
///   L(δ) = mean_p [ −(1/|t|) Σ_j log P(t_j | rewrite_p) ] + kl_factor·KL(P_δ ‖ P_0)(KL prompt) + v_weight_decay·‖δ‖/‖v_init‖².
/// Per iteration, as upstream: loss → stop if &lt; 0.05 → stop at the last iteration → backward → Adam step →
/// clamp ‖δ‖ ≤ clamp_norm_factor·‖v_init‖. So at most v_num_grad_steps − 1 Adam steps. Weights stay frozen:
/// the backward pass computes no weight gradient. v_init is the activation at the point (row 0, δ = 0).
/// ROME adds δ at the MLP output and reads the NLL from the model's logits; MEMIT (compute_z) adds it at the
/// block output and reads the NLL from ln_f + unembedding of block <c>lossLayer</c>'s output
/// (null: the last block, i.e. the logits). The KL term always uses the logits.
/// <para>
/// What each iteration recomputes: the block adds its MLP output to the residual stream, so δ at either point is δ
/// added to the block's output; every block up to the layer, and every row before a prompt's subject in the blocks
/// above (attention is causal), is the same in every iteration. The prompts therefore run once to a
/// <see cref="FrozenPrefix"/> (no gradient), each only as far as the last position a loss reads (the KL prompt to its
/// subject), and each iteration runs the blocks above on the rows from the subject on, and the last block's MLP,
/// ln_f and the unembedding on the rows the losses read.
/// </para>
/// </summary>
internal static class ValueOptimizer
{
    public static ValueOptimization Optimize(ICausalLanguageModel model, int layer, RomePrompts prompts, ValueEditHyperParameters h,
        HookPoint point = HookPoint.MlpOut, int? lossLayer = null, IReadOnlyList<(HookPoint Point, int Layer)>? subjectReads = null,
        CancellationToken cancellationToken = default)
    {
        subjectReads ??= [];
        if (subjectReads.Any(r => r.Layer > layer)) throw new ArgumentException($"the frozen pass runs hooks in blocks 0..{layer} only", nameof(subjectReads));
        if (point is not (HookPoint.MlpOut or HookPoint.BlockOut))
            throw new ArgumentException($"δ is added at the MLP output or the block output, not at {point}", nameof(point));
        if (lossLayer is { } l && (l < layer || l >= model.Layers))
            throw new ArgumentException($"v_loss_layer {l} must lie between the layer δ is added at ({layer}) and the last block ({model.Layers - 1})");
        if (h.VNumGradSteps == 0) throw new InvalidOperationException("v_num_grad_steps is 0: at least one iteration is needed to read v_init");
        bool lossFromLogits = lossLayer is null || lossLayer == model.Layers - 1;
        var kl = prompts.Kl with { Ids = prompts.Kl.Ids[..(prompts.Kl.SubjectLast + 1)] };
        var all = prompts.Rewrites.Append(kl).ToList();
        var batch = new TokenBatch(all.Select(p => p.Ids).ToList(), model.EosTokenId);

        var initial = new ForwardHooks();
        var activation = initial.Capture(point, layer);
        var reads = subjectReads.Select(r => initial.Capture(r.Point, r.Layer)).ToList();
        var prefix = model.Freeze(batch, layer, all.Select(p => p.SubjectLast).ToArray(), initial);
        var readAtSubjects = reads.Select(r => SubjectActivations.AtSubjects(r.Required, batch, prompts.Rewrites)).ToArray();
        var vInit = activation.Required.ToFloatArray().AsSpan(batch.Row(0, all[0].SubjectLast) * model.Embedding, model.Embedding).ToArray();
        double vInitNorm = Math.Sqrt(vInit.Sum(x => (double)x * x));

        // Rows below index the frozen prefix's changed rows. Target token j of rewrite prompt p is predicted at position |rewrite_p| − |t| + j.
        var t = prompts.TargetIds;
        var subjectRows = all.Select((p, b) => prefix.ChangedIndex(b, p.SubjectLast)).ToArray();
        var targetRows = prompts.Rewrites.SelectMany((p, b) => Enumerable.Range(0, t.Length).Select(j => prefix.ChangedIndex(b, p.Ids.Length - t.Length + j))).ToArray();
        var targetIds = prompts.Rewrites.SelectMany(_ => t).ToArray();
        var head = VocabularyHead.Covering(model, targetIds);     // logits [.., W]; KL over its columns is the full vocabulary's
        var targetColumns = targetIds.Select(head.Column).ToArray();
        int klRow = subjectRows[^1];
        int[] outputRows = lossFromLogits ? [.. targetRows, klRow] : [klRow];

        var delta = Tensor.Zeros(model.Embedding);
        delta.RequiresGrad = true;
        var adam = new AdamW([new OptimizedParameter("delta", delta, Decay: false)], new AdamWOptions(0.9, 0.999, 1e-8, WeightDecay: 0));
        Tensor? klInit = null;
        var trace = new List<double>();
        string stop = "no iterations";
        for (int it = 0; it < h.VNumGradSteps; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var tape = new Tape();
            var residual = ForwardHooks.AddVectorAt(prefix.Residual, delta, subjectRows);     // [n, C]: block `layer`'s output + δ at the subjects
            var hooks = new ForwardHooks();
            var lossBlock = lossFromLogits || lossLayer == layer ? null : hooks.Capture(HookPoint.BlockOut, lossLayer!.Value);
            var hidden = model.Resume(prefix, residual, outputRows, hooks);                    // [|outputRows|, C]
            Tensor targetLogProbs, klLogProbs;
            if (lossFromLogits)
            {
                var logProbs = Ops.LogSoftmax(head.Logits(model, hidden));
                targetLogProbs = Ops.Slice(logProbs, 0, 0, targetRows.Length);
                klLogProbs = Ops.Slice(logProbs, 0, targetRows.Length, 1);
            }
            else
            {
                var lossHidden = lossBlock?.Required ?? residual;
                targetLogProbs = Ops.LogSoftmax(head.Logits(model, Ops.GatherRows(lossHidden, targetRows)));
                klLogProbs = Ops.LogSoftmax(head.Logits(model, hidden));
            }
            if (it == 0) klInit = klLogProbs.Detach().Clone();
            var nll = Ops.Scale(Ops.Sum(Ops.PickColumns(targetLogProbs, targetColumns)), -1.0 / targetIds.Length);
            var klTerm = Ops.KlDivergence(klLogProbs, klInit!);
            var decay = Ops.Scale(Ops.Norm(delta), h.VWeightDecay / (vInitNorm * vInitNorm));
            var loss = Ops.Add(Ops.Add(nll, Ops.Scale(klTerm, h.KlFactor)), decay);
            double value = loss.Item();
            if (!double.IsFinite(value)) throw new InvalidOperationException($"the value optimisation produced a non-finite loss ({value}) at iteration {it}");
            trace.Add(value);
            if (value < ValueEditHyperParameters.EarlyStopLoss) { stop = "loss below 0.05"; break; }
            if (it == h.VNumGradSteps - 1) { stop = "last iteration"; break; }
            tape.Backward(loss);
            adam.Update(h.VLr);
            adam.ZeroGrad();
            Clamp(delta, h.ClampNormFactor * vInitNorm);
        }
        return new ValueOptimization(delta.ToFloatArray(), vInit, [.. trace], adam.Step, stop, readAtSubjects);
    }

    /// <summary>Projects δ back onto the ball ‖δ‖ ≤ bound.</summary>
    private static void Clamp(Tensor delta, double bound)
    {
        double norm = Math.Sqrt(delta.Backend.SumOfSquares(delta.Storage));
        if (norm > bound) delta.Backend.Axpby(bound / norm, delta.Storage, 0, delta.Storage);
    }
}
