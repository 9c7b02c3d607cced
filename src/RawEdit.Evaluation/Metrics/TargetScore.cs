namespace RawEdit.Evaluation.Metrics;

/// <summary>A prompt and a continuation, as token ids, to score under teacher forcing.</summary>
internal sealed record ScoringRequest(int[] Prompt, int[] Target);

/// <summary>
/// How a model rates a target continuation, token by token (teacher forcing: token i is predicted from
/// prompt + target[..i]). LogProbabilities[i] = log p(target[i] | prompt, target[..i]); IsArgmax[i] is true
/// when target[i] is the most likely next token there (ties go to the lowest id, like torch.argmax).
/// </summary>
internal sealed record TargetScore(double[] LogProbabilities, bool[] IsArgmax)
{
    /// <summary>Mean per-token negative log-likelihood, −(1/n)·Σᵢ log p(target[i] | …): CounterFact's "prob".</summary>
    public double MeanNll => -LogProbabilities.Average();

    /// <summary>MEMIT's "correct": every target token is the argmax.</summary>
    public bool AllArgmax => IsArgmax.All(x => x);

    /// <summary>How many target tokens are the argmax (zsRE token accuracy counts these).</summary>
    public int ArgmaxCount => IsArgmax.Count(x => x);

    public int Length => LogProbabilities.Length;
}
