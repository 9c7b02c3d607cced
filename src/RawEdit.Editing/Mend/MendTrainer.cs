using System.Diagnostics;
using RawEdit.Models;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Optim;

namespace RawEdit.Editing.Mend;

/// <summary>The losses of one example on the edited model: total = cedit·edit + cloc·locality.</summary>
internal sealed record MendLoss(double Total, double Edit, double Locality);

/// <summary>Validation figures: mean losses and the fraction of edit_outer target tokens that are the argmax after the edit.</summary>
internal sealed record MendValidation(double Total, double Edit, double Locality, double EditAccuracy, int Examples);

internal sealed record MendTrainingProgress(int Iteration, int MaxIterations, MendLoss Smoothed, double GradientNorm,
    MendValidation? Validation, double BestValidationLoss, double ExamplesPerSecond);

/// <summary>
/// MEND training (trainer.py:208-302): per example, edit the model with the editor's ΔW and take
///   L = cedit·NLL(edited model, edit_outer) + cloc·KL(p_pre ‖ p_post)(loc),
/// back-propagated through W + ΔW into the editor. Gradients are summed over a window of examples (each divided by
/// accumulate_bs), clipped to grad_clip in global norm, then Adam(lr) steps the networks and the edit steps α
/// (<see cref="EditLrOptimizer.Outer"/>, upstream's outer_parameters(); <see cref="EditLrOptimizer.Separate"/>: α by its
/// own Adam(lr_lr) instead). Windows are upstream's: trainer.py steps when global_iter &gt; 0 and global_iter %
/// accumulate_bs == 0, so the first window holds accumulate_bs + 1 examples (iterations 0..accumulate_bs) and every
/// later one accumulate_bs. An iteration is one example; validation every val_every iterations on the first val_steps
/// validation examples, early stop after early_stop_patience iterations without a better validation loss; training
/// stops at the first update at or past max_iters examples (upstream processes exactly max_iters and drops the
/// unfinished window's gradient).
/// </summary>
internal sealed class MendTrainer
{
    private readonly IReadOnlyList<MendExample> train;
    private readonly IReadOnlyList<MendExample> validation;
    private (int Epoch, int[] Order) epochOrder = (-1, []);

    public MendTrainer(ICausalLanguageModel model, MendEditor editor, IReadOnlyList<MendExample> train, IReadOnlyList<MendExample> validation)
    {
        if (train.Count == 0) throw new ArgumentException("MEND training needs at least one training example");
        foreach (var e in train.Concat(validation)) e.Validate(model);
        Model = model;
        Editor = editor;
        this.train = train;
        this.validation = validation;
        var adam = new AdamWOptions(WeightDecay: 0);
        bool outer = editor.Hparams.EditLrOptimizer == EditLrOptimizer.Outer;
        var networks = editor.NetworkParameters().Select(p => new OptimizedParameter(p.Name, p.Value, Decay: false));
        var steps = new OptimizedParameter("edit_lrs", editor.EditLearningRates, Decay: false);
        NetworkOptimizer = new AdamW(outer ? networks.Append(steps) : networks, adam);
        // Upstream's Adam(lr_lr) sees only cleared gradients under Outer and never moves α: it is not built.
        StepOptimizer = outer ? null : new AdamW([steps], adam);
    }

    public ICausalLanguageModel Model { get; }
    public MendEditor Editor { get; }
    public MendHyperParameters Hparams => Editor.Hparams;
    /// <summary>Adam(lr) over the networks, and over the edit steps α under <see cref="EditLrOptimizer.Outer"/> (upstream's opt).</summary>
    public AdamW NetworkOptimizer { get; }
    /// <summary>Adam(lr_lr) over α under <see cref="EditLrOptimizer.Separate"/>; null under Outer.</summary>
    public AdamW? StepOptimizer { get; }
    public int TrainingExamples => train.Count;

    /// <summary>Examples trained on so far: 0, then accumulate_bs·k + 1 after the k-th update.</summary>
    public int Iteration { get; internal set; }
    public double BestValidationLoss { get; internal set; } = double.PositiveInfinity;
    public int BestIteration { get; internal set; }
    public bool EarlyStopped => Iteration - BestIteration >= Hparams.EarlyStopPatience;
    public bool Finished => Iteration >= Hparams.MaxIters || EarlyStopped;

    /// <summary>The training example of a 0-based iteration: each epoch is a seeded shuffle, made once per epoch.</summary>
    public int ExampleAt(int iteration)
    {
        int epoch = iteration / train.Count;
        if (epochOrder.Epoch != epoch)
        {
            var order = Enumerable.Range(0, train.Count).ToArray();
            SplitMix64.ForStream((ulong)Hparams.Seed, "mend-order", (ulong)epoch).Shuffle(order);
            epochOrder = (epoch, order);
        }
        return epochOrder.Order[iteration % train.Count];
    }

    /// <summary>Edits with the current editor and records the loss on the edited model (training mode: statistics update).</summary>
    public (Tensor Total, MendLoss Parts) Loss(MendExample example, bool training)
    {
        var factors = GradientFactors.Capture(Model, Editor.Matrices, example.EditInner);
        Tensor pre;
        using (Tape.NoGrad()) pre = MendLosses.LocalityLogProbabilities(Model, example.Locality);
        var edited = Model.WithParameters(MendEditor.EditedWeights(Model, Editor.Transform(factors, training)));
        var edit = MendLosses.TargetNll(edited, example.EditOuter);
        var parts = new List<Tensor> { Ops.Scale(edit, Hparams.CEdit) };
        Tensor? locality = null;
        if (example.Locality.Count > 0)
        {
            locality = MendLosses.LocalityKl(pre, MendLosses.LocalityLogProbabilities(edited, example.Locality));
            parts.Add(Ops.Scale(locality, Hparams.CLoc));
        }
        var total = parts.Count == 1 ? parts[0] : Ops.Add(parts[0], parts[1]);
        return (total, new MendLoss(total.Item(), edit.Item(), locality?.Item() ?? 0));
    }

    /// <summary>Adds one example's gradient, divided by accumulate_bs, to the editor's gradients.</summary>
    public MendLoss Accumulate(MendExample example)
    {
        using var tape = new Tape();
        var (total, parts) = Loss(example, training: true);
        if (!double.IsFinite(parts.Total)) throw new InvalidOperationException($"MEND training loss became {parts.Total} at iteration {Iteration + 1}");
        tape.Backward(Ops.Scale(total, 1.0 / Hparams.AccumulateBs));
        return parts;
    }

    /// <summary>Clips all gradients together to grad_clip, steps both optimisers, clears the gradients; returns the norm before clipping.</summary>
    public double Update()
    {
        double norm = GradientClipping.ClipGlobalNorm(Editor.Parameters().Select(p => p.Value), Hparams.GradClip);
        if (!double.IsFinite(norm)) throw new InvalidOperationException($"MEND gradient norm became {norm} at iteration {Iteration}");
        NetworkOptimizer.Update(Hparams.Lr);
        StepOptimizer?.Update(Hparams.LrLr);
        NetworkOptimizer.ZeroGrad();
        StepOptimizer?.ZeroGrad();
        return norm;
    }

    /// <summary>Examples in the window that starts at <paramref name="iteration"/>: accumulate_bs + 1 for the first (upstream's iterations 0..accumulate_bs), else accumulate_bs.</summary>
    public int WindowAt(int iteration) => iteration == 0 ? Hparams.AccumulateBs + 1 : Hparams.AccumulateBs;

    /// <summary>One window of examples in the training order (<see cref="WindowAt"/>), then one update.</summary>
    public (MendLoss Loss, double GradientNorm) TrainStep()
    {
        var losses = new List<MendLoss>();
        int window = WindowAt(Iteration);
        for (int i = 0; i < window; i++) losses.Add(Accumulate(train[ExampleAt(Iteration + i)]));
        Iteration += window;
        double norm = Update();
        return (new MendLoss(losses.Average(l => l.Total), losses.Average(l => l.Edit), losses.Average(l => l.Locality)), norm);
    }

    /// <summary>Mean losses and edit accuracy over the first val_steps validation examples (eval mode, nothing recorded).</summary>
    public MendValidation Validate()
    {
        var examples = validation.Take(Hparams.ValSteps).ToList();
        if (examples.Count == 0) throw new InvalidOperationException("MEND validation needs at least one validation example");
        double total = 0, edit = 0, locality = 0, correct = 0, tokens = 0;
        foreach (var example in examples)
        {
            var (_, parts) = Loss(example, training: false); // no tape is active: nothing is recorded
            total += parts.Total; edit += parts.Edit; locality += parts.Locality;
            var change = Editor.Compute(Model, example.EditInner).ApplyTo(Model);
            var (logits, targets, head) = MendLosses.TargetLogits(Model, example.EditOuter);
            change.Revert();
            correct += ArgmaxMatches(logits.ToFloatArray(), targets, head);
            tokens += targets.Length;
        }
        int n = examples.Count;
        return new MendValidation(total / n, edit / n, locality / n, correct / tokens, n);
    }

    private static int ArgmaxMatches(float[] logits, int[] targets, VocabularyHead head)
    {
        int matches = 0;
        for (int r = 0; r < targets.Length; r++)
            if (head.ArgMax(logits.AsSpan(r * head.Width, head.Width)) == targets[r]) matches++;
        return matches;
    }

    /// <summary>
    /// Trains until max_iters, early stop or cancellation. After each validation the best editor so far is saved to
    /// <paramref name="outDir"/>/editor.safetensors and the full training state to training-state.safetensors.
    /// </summary>
    public void Run(string outDir, IProgress<MendTrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(outDir);
        var clock = Stopwatch.StartNew();
        int startIteration = Iteration;
        MendLoss? smoothed = null;
        while (!Finished && !cancel.IsCancellationRequested)
        {
            int window = WindowAt(Iteration);
            var (loss, norm) = TrainStep();
            smoothed = smoothed is null ? loss : new MendLoss(0.95 * smoothed.Total + 0.05 * loss.Total,
                0.95 * smoothed.Edit + 0.05 * loss.Edit, 0.95 * smoothed.Locality + 0.05 * loss.Locality);
            MendValidation? validated = null;
            bool due = Iteration / Hparams.ValEvery > (Iteration - window) / Hparams.ValEvery || Iteration >= Hparams.MaxIters;
            if (due)
            {
                validated = Validate();
                if (validated.Total < BestValidationLoss)
                {
                    BestValidationLoss = validated.Total;
                    BestIteration = Iteration;
                    MendEditorFile.Save(Editor, Model, Path.Combine(outDir, MendEditorFile.EditorFileName));
                }
                MendTrainingState.Save(this, Path.Combine(outDir, MendTrainingState.FileName));
            }
            progress?.Report(new MendTrainingProgress(Iteration, Hparams.MaxIters, smoothed, norm, validated, BestValidationLoss,
                (Iteration - startIteration) / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
        }
        if (cancel.IsCancellationRequested) MendTrainingState.Save(this, Path.Combine(outDir, MendTrainingState.FileName));
    }
}
