namespace RawEdit.Evaluation.Metrics;

/// <summary>The averaging of the literature's summaries: per record first, then over records, then ×100.</summary>
internal static class RecordAverages
{
    /// <summary>Mean of a record's per-prompt values; NaN when the record has no prompt of that kind.</summary>
    public static double PerRecord(IEnumerable<double> perPrompt)
    {
        double sum = 0;
        int count = 0;
        foreach (double v in perPrompt) { sum += v; count++; }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>100 · mean over the records that have a value (NaN entries are records without such prompts); NaN when none has.</summary>
    public static double Percent(IEnumerable<double> perRecord) => 100 * PerRecord(perRecord.Where(v => !double.IsNaN(v)));

    /// <summary>Harmonic mean n / Σ 1/xᵢ (CounterFact's score S); 0 when any value is 0, NaN when any is NaN.</summary>
    public static double HarmonicMean(params double[] values)
    {
        if (values.Length == 0 || values.Any(double.IsNaN)) return double.NaN;
        if (values.Any(v => v <= 0)) return 0;
        return values.Length / values.Sum(v => 1 / v);
    }
}
