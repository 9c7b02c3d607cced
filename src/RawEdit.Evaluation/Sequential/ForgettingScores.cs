using RawEdit.Evaluation.CounterFact;

namespace RawEdit.Evaluation.Sequential;

/// <summary>
/// The earlier edits re-scored on the model as it is now (the forgetting study's evaluate_history): their mean
/// ES/PS/NS (percent), how many were learnt when made (every rewrite token the argmax), how many of those are
/// still and how many are forgotten (downstream_eval/fact_forgetting.py). Per-edit ES and correct flags follow
/// the order of the edits (refused edits are left out).
/// </summary>
internal sealed record ForgettingScores(int Edits, double ES, double PS, double NS, int Learnt, int StillCorrect, int Forgotten,
    IReadOnlyList<int> EditIndices, IReadOnlyList<double> PerEditES, IReadOnlyList<bool> PerEditCorrect)
{
    public static ForgettingScores From(IReadOnlyList<EditEntry> edits, IReadOnlyList<CounterFactCaseResult> now)
    {
        var summary = CounterFactScores.Summarize(now);
        var correct = now.Select(c => c.Rewrite.All(p => p.NewAllArgmax)).ToList();
        int learnt = edits.Count(e => e.Measurement.RewriteCorrect);
        int still = edits.Where((e, i) => e.Measurement.RewriteCorrect && correct[i]).Count();
        return new ForgettingScores(edits.Count, summary.ES, summary.PS, summary.NS, learnt, still, learnt - still,
            edits.Select(e => e.Index).ToList(), now.Select(c => c.Rewrite.Average(p => p.PrefersNew ? 1.0 : 0.0)).ToList(), correct);
    }
}
