namespace RawEdit.Evaluation.Sequential;

/// <summary>Why the guard flagged an edit, with the two figures it judged by.</summary>
internal sealed record GuardVerdict(bool Disabling, string Reason, double MagnitudeRatio, double NormalizedEntropy);

/// <summary>
/// Predicts a disabling edit (r-ROME §"disabling edits": one edit that makes the model repeat itself, with a
/// |Δ| orders of magnitude above the others) before it is kept, from two signs: the edit's own |Δ| against the
/// median of the accepted edits so far, and the normalised unigram entropy of the post-edit probe generations.
/// </summary>
internal sealed class DisablingEditGuard(GuardOptions options)
{
    private readonly List<double> accepted = new();

    public GuardOptions Options => options;

    /// <summary>Feeds an accepted edit's |Δ| (the largest over its weights) into the running distribution.</summary>
    public void Accept(double magnitude)
    {
        if (double.IsFinite(magnitude)) accepted.Add(magnitude);
    }

    public GuardVerdict Judge(double magnitude, double normalizedEntropy)
    {
        double ratio = accepted.Count >= options.Warmup ? magnitude / Median(accepted) : double.NaN;
        var reasons = new List<string>();
        if (ratio > options.MagnitudeRatio) reasons.Add($"|Δ| is {ratio:F1}× the median of {accepted.Count} accepted edits");
        if (normalizedEntropy < options.EntropyFloor) reasons.Add($"post-edit probe entropy {normalizedEntropy:F2} < {options.EntropyFloor:F2}");
        return new GuardVerdict(reasons.Count > 0, string.Join("; ", reasons), ratio, normalizedEntropy);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
