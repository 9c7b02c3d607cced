using RawEdit.Evaluation.Metrics;

namespace RawEdit.Evaluation.CounterFact;

/// <summary>
/// CounterFact summary as ROME reports it, every value a percentage averaged per record, then over records:
/// ES/PS/NS efficacy, paraphrase and neighbourhood success; EM/PM/NM the probability margins; S the harmonic
/// mean of ES, PS and NS. The *Accuracy values are MEMIT's "correct" rates (every token of the expected
/// answer is the argmax: TargetNew for rewrite and paraphrase prompts, the true answer for neighbours).
/// A record without prompts of a kind is left out of that kind's average.
/// </summary>
/// <param name="Records">Cases summarised.</param>
/// <param name="ES">Efficacy success: % of rewrite prompts where the new answer is more likely than the true one.</param>
/// <param name="PS">Paraphrase success: the same on the paraphrase prompts.</param>
/// <param name="NS">Neighbourhood success: % of neighbourhood prompts where the true answer stays more likely.</param>
/// <param name="S">The harmonic mean of ES, PS and NS.</param>
/// <param name="EM">Efficacy magnitude: mean P(new) − P(true) on rewrite prompts, in %.</param>
/// <param name="PM">Paraphrase magnitude: the same on paraphrase prompts.</param>
/// <param name="NM">Neighbourhood magnitude: mean P(true) − P(new) on neighbourhood prompts, in %.</param>
/// <param name="RewriteAccuracy">% of rewrite prompts whose every new-answer token is the argmax.</param>
/// <param name="ParaphraseAccuracy">The same on paraphrase prompts.</param>
/// <param name="NeighborhoodAccuracy">% of neighbourhood prompts whose every true-answer token is the argmax.</param>
public sealed record CounterFactScores(
    int Records,
    double ES,
    double PS,
    double NS,
    double S,
    double EM,
    double PM,
    double NM,
    double RewriteAccuracy,
    double ParaphraseAccuracy,
    double NeighborhoodAccuracy)
{
    /// <summary>The summary of per-case results, as ROME's and MEMIT's summarize.py compute it.</summary>
    public static CounterFactScores Summarize(IReadOnlyList<CounterFactCaseResult> cases)
    {
        double Over(Func<CounterFactCaseResult, IReadOnlyList<PromptComparison>> kind, Func<PromptComparison, double> value) =>
            RecordAverages.Percent(cases.Select(c => RecordAverages.PerRecord(kind(c).Select(value))));
        static double Indicator(bool b) => b ? 1 : 0;

        // ES = mean_records mean_prompts 1[NLL_new < NLL_true];  NS = … 1[NLL_true < NLL_new]
        double es = Over(c => c.Rewrite, p => Indicator(p.PrefersNew));
        double ps = Over(c => c.Paraphrase, p => Indicator(p.PrefersNew));
        double ns = Over(c => c.Neighborhood, p => Indicator(p.PrefersTrue));
        return new CounterFactScores(
            cases.Count, es, ps, ns, RecordAverages.HarmonicMean(es, ps, ns),
            // EM, PM = mean(e^{−NLL_new} − e^{−NLL_true});  NM = mean(e^{−NLL_true} − e^{−NLL_new})
            Over(c => c.Rewrite, p => p.NewMargin),
            Over(c => c.Paraphrase, p => p.NewMargin),
            Over(c => c.Neighborhood, p => -p.NewMargin),
            Over(c => c.Rewrite, p => Indicator(p.NewAllArgmax)),
            Over(c => c.Paraphrase, p => Indicator(p.NewAllArgmax)),
            Over(c => c.Neighborhood, p => Indicator(p.TrueAllArgmax)));
    }
}
