namespace RawEdit.Models.Training;

/// <summary>Settings of a language-model training run (all of them recorded in checkpoints).</summary>
internal sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    /// <summary>Sequences per optimiser step.</summary>
    public int BatchSequences { get; init; } = 64;
    public double PeakLearningRate { get; init; } = 3e-3;
    public int WarmupSteps { get; init; } = 200;
    public double MinLearningRateRatio { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 0.01;
    public double ClipNorm { get; init; } = 1.0;
    public ulong Seed { get; init; } = 1;
    /// <summary>Steps between checkpoints (0 = only at the end).</summary>
    public int CheckpointEvery { get; init; } = 500;

    public void Validate()
    {
        if (Epochs < 1 || BatchSequences < 1) throw new ArgumentException("epochs and batch size must be at least 1");
        if (!(PeakLearningRate > 0) || !(ClipNorm > 0) || WeightDecay < 0 || WarmupSteps < 0 || CheckpointEvery < 0)
            throw new ArgumentException("learning rate and clip norm must be positive; warm-up, weight decay and checkpoint interval non-negative");
    }
}

/// <summary>What a progress display needs after each step.</summary>
internal sealed record TrainingProgress(int Step, int TotalSteps, int Epoch, double Loss, double LearningRate, double GradientNorm, double TokensPerSecond);
