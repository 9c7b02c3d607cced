using RawEdit.Evaluation.Metrics;

namespace RawEdit.Evaluation.Zsre;

/// <summary>
/// zsRE summary (ROME, eval_utils_zsre): efficacy, paraphrase and specificity token accuracies, averaged per
/// record, then over records, ×100; S is their harmonic mean (the MEMIT paper's zsRE score).
/// </summary>
internal sealed record ZsreScores(int Records, double Efficacy, double Paraphrase, double Specificity, double S)
{
    public static ZsreScores Summarize(IReadOnlyList<ZsreCaseResult> cases)
    {
        double efficacy = RecordAverages.Percent(cases.Select(c => c.RewriteAccuracy));
        double paraphrase = RecordAverages.Percent(cases.Select(c => c.ParaphraseAccuracy));
        double specificity = RecordAverages.Percent(cases.Select(c => c.NeighborhoodAccuracy));
        return new ZsreScores(cases.Count, efficacy, paraphrase, specificity, RecordAverages.HarmonicMean(efficacy, paraphrase, specificity));
    }
}
