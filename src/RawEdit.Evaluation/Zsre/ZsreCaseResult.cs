using RawEdit.Evaluation.Metrics;

namespace RawEdit.Evaluation.Zsre;

/// <summary>
/// The zsRE token scores of one case: the rewrite question and the paraphrases against " " + TargetNew,
/// the neighbourhood question against " " + its own answer.
/// </summary>
internal sealed record ZsreCaseResult(
    string CaseId,
    IReadOnlyList<TargetScore> Rewrite,
    IReadOnlyList<TargetScore> Paraphrase,
    IReadOnlyList<TargetScore> Neighborhood)
{
    public double RewriteAccuracy => TokenAccuracy(Rewrite);
    public double ParaphraseAccuracy => TokenAccuracy(Paraphrase);
    public double NeighborhoodAccuracy => TokenAccuracy(Neighborhood);

    /// <summary>
    /// Token accuracy: (1/n)·Σᵢ 1[argmax p(· | prompt + target[..i]) = target[i]] over all target tokens of
    /// all prompts of a kind; NaN when there are none.
    /// </summary>
    public static double TokenAccuracy(IReadOnlyList<TargetScore> scores)
    {
        int tokens = scores.Sum(s => s.Length);
        return tokens == 0 ? double.NaN : (double)scores.Sum(s => s.ArgmaxCount) / tokens;
    }
}
