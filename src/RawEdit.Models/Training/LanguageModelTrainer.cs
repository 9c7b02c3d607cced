using System.Diagnostics;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Optim;
using RawEdit.Tensors.Profiling;

namespace RawEdit.Models.Training;

/// <summary>
/// Next-token training of a GPT-2 on token sequences: AdamW, warm-up + cosine schedule, global-norm
/// clipping, deterministic data order, checkpoints that resume bit-identically.
/// Each sequence is its own example (right-padded within its length group); the head runs only on rows that
/// have a next token, so padding costs nothing in the expensive vocabulary projection.
/// </summary>
internal sealed class LanguageModelTrainer
{
    private readonly IReadOnlyList<int[]> sequences;
    private readonly VocabularySubset? vocabulary;
    private readonly LearningRateSchedule schedule;

    public LanguageModelTrainer(Gpt2Model model, IReadOnlyList<int[]> sequences, TrainingOptions options, VocabularySubset? vocabulary = null)
    {
        options.Validate();
        if (sequences.Count == 0) throw new ArgumentException("no training sequences");
        if (sequences.Any(s => s.Length < 2 || s.Length > model.MaxPositions))
            throw new ArgumentException($"training sequences need 2 to {model.MaxPositions} tokens");
        Model = model;
        this.sequences = sequences;
        Options = options;
        this.vocabulary = vocabulary;
        StepsPerEpoch = (sequences.Count + options.BatchSequences - 1) / options.BatchSequences;
        TotalSteps = StepsPerEpoch * options.Epochs;
        schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps, TotalSteps, options.MinLearningRateRatio);
        foreach (var p in model.Parameters.Values) p.RequiresGrad = true;
        // Decay matrices and embeddings; not biases or layer-norm gains.
        Optimizer = new AdamW(model.Parameters.Select(p => new OptimizedParameter(p.Key, p.Value, p.Value.Rank >= 2)),
            new AdamWOptions(WeightDecay: options.WeightDecay));
    }

    public Gpt2Model Model { get; }
    public TrainingOptions Options { get; }
    public AdamW Optimizer { get; }
    public int StepsPerEpoch { get; }
    public int TotalSteps { get; }
    public int Step => Optimizer.Step;

    private (int Epoch, int[] Order) epochOrder = (-1, []);

    /// <summary>Sequence indices of a 0-based global step: epoch e's order is a seeded shuffle, made once per epoch.</summary>
    public int[] BatchAt(int step)
    {
        int epoch = step / StepsPerEpoch, within = step % StepsPerEpoch;
        if (epochOrder.Epoch != epoch)
        {
            var shuffled = Enumerable.Range(0, sequences.Count).ToArray();
            SplitMix64.ForStream(Options.Seed, "epoch-order", (ulong)epoch).Shuffle(shuffled);
            epochOrder = (epoch, shuffled);
        }
        var order = epochOrder.Order;
        int start = within * Options.BatchSequences;
        return order[start..Math.Min(order.Length, start + Options.BatchSequences)];
    }

    /// <summary>
    /// Padded-token cost charged per extra length group in <see cref="Loss"/>, standing for a pass's dispatch and
    /// smaller matrices (a round value, not tuned: it gives small-world 3.5 groups and 2,339 computed tokens per step for
    /// 1,885 real ones; the saving over 5,856 padded ones is what matters).
    /// </summary>
    public const int GroupCostTokens = 192;

    /// <summary>
    /// Mean next-token cross-entropy (over the full vocabulary) of some sequences, recorded on the active tape.
    /// The blocks run per length group (<see cref="LengthGroups"/>), each padded to its own longest sequence; the
    /// predicting rows of all groups are then joined for one head and one mean, so the loss is the same function as
    /// one batch padded to the longest sequence (<paramref name="grouped"/> = false), computed on fewer pad tokens.
    /// </summary>
    public Tensor Loss(IReadOnlyList<int[]> batchSequences, bool grouped = true)
    {
        OpProfiler.Enter("batch");
        var groups = grouped
            ? LengthGroups.Split(batchSequences.Select(s => s.Length).ToArray(), GroupCostTokens)
            : [Enumerable.Range(0, batchSequences.Count).ToArray()];
        var features = new List<Tensor>(groups.Length);
        var picked = new List<int>();
        foreach (var group in groups)
        {
            var (hidden, rows, targets) = PredictingRows(group.Select(i => batchSequences[i]).ToList());
            OpProfiler.Enter("loss rows");
            features.Add(Ops.GatherRows(hidden, rows));
            picked.AddRange(targets);
        }
        var predicting = Model.FinalNorm(features.Count == 1 ? features[0] : Ops.Concat(0, features.ToArray()));
        var wte = Model["transformer.wte.weight"];
        OpProfiler.Enter("LM head");
        var logits = vocabulary is null ? Ops.MatMul(predicting, wte, transB: true) : vocabulary.Logits(predicting, wte);
        OpProfiler.Enter("loss");
        return Ops.CrossEntropy(logits, vocabulary is null ? picked.ToArray() : picked.Select(vocabulary.IndexOf).ToArray());
    }

    /// <summary>Hidden states [B·T, C] of one padded batch, the rows that have a next token, and those tokens.</summary>
    private (Tensor Hidden, int[] Rows, int[] Targets) PredictingRows(IReadOnlyList<int[]> group)
    {
        var batch = new TokenBatch(group, Model.EosTokenId);
        var next = batch.NextTokenTargets();
        var rows = Enumerable.Range(0, next.Length).Where(r => next[r] >= 0).ToArray();
        var hidden = Ops.Reshape(Model.HiddenStates(batch), -1, Model.Embedding);
        return (hidden, rows, rows.Select(r => next[r]).ToArray());
    }

    /// <summary>One optimiser step on the batch of the next global step; returns the loss and the gradient norm.</summary>
    public (double Loss, double GradientNorm, int Tokens) TrainStep()
    {
        var batch = BatchAt(Step).Select(i => sequences[i]).ToList();
        double lossValue, norm;
        using (var tape = new Tape())
        {
            var loss = Loss(batch);
            lossValue = loss.Item();
            if (!double.IsFinite(lossValue)) throw new InvalidOperationException($"training loss became {lossValue} at step {Step + 1}");
            tape.Backward(loss);
        }
        OpProfiler.Enter("gradient clipping");
        norm = GradientClipping.ClipGlobalNorm(Model.Parameters.Values, Options.ClipNorm);
        if (!double.IsFinite(norm)) throw new InvalidOperationException($"gradient norm became {norm} at step {Step + 1}");
        OpProfiler.Enter("AdamW");
        Optimizer.Update(schedule.At(Step + 1));
        OpProfiler.Enter("zero grad");
        Optimizer.ZeroGrad();
        return (lossValue, norm, batch.Sum(s => s.Length));
    }

    /// <summary>Trains to the end (or until cancelled), checkpointing into <paramref name="checkpointDir"/> when given.</summary>
    public void Run(string? checkpointDir, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        double smoothed = double.NaN;
        while (Step < TotalSteps && !cancel.IsCancellationRequested)
        {
            var (loss, norm, count) = TrainStep();
            tokens += count;
            smoothed = double.IsNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
            progress?.Report(new TrainingProgress(Step, TotalSteps, (Step - 1) / StepsPerEpoch + 1, smoothed,
                schedule.At(Step), norm, tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
            if (checkpointDir is not null && Options.CheckpointEvery > 0 && Step % Options.CheckpointEvery == 0 && Step < TotalSteps)
                TrainingCheckpoint.Save(this, checkpointDir);
        }
        if (checkpointDir is not null) TrainingCheckpoint.Save(this, checkpointDir);
    }
}
