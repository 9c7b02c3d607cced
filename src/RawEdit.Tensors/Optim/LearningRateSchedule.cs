namespace RawEdit.Tensors.Optim;

/// <summary>Linear warm-up to the peak, then cosine decay to MinRatio·peak at the last step.</summary>
internal sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double MinRatio = 0.1)
{
    /// <summary>Learning rate for the 1-based step.</summary>
    public double At(int step)
    {
        if (step <= WarmupSteps) return Peak * step / Math.Max(1, WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return Peak * (MinRatio + (1 - MinRatio) * cosine);
    }
}
