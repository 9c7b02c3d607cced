namespace RawEdit.Evaluation.Metrics;

/// <summary>
/// The disabling-edit entropy of r-ROME (experiments/disable_edits_plots.py) and the forgetting study
/// (downstream_eval/generation_entropy.py): all texts lower-cased, "." deleted, split on single spaces
/// (empty pieces count as a word, as Python's str.split(" ") gives them), pooled into one unigram
/// distribution p; H = −Σ p log₂ p, normalised H / log₂(#distinct words). A model that repeats itself scores near 0.
/// </summary>
internal static class GenerationEntropy
{
    /// <returns>H in bits and H / log₂(#distinct). With one distinct word upstream divides by zero; here the normalised
    /// value is 0 then, the value of a text that has collapsed to one word.</returns>
    public static (double Entropy, double Normalized) Measure(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int total = 0;
        foreach (var text in texts)
            foreach (var word in text.ToLowerInvariant().Replace(".", "").Split(' '))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
                total++;
            }
        double entropy = 0;
        foreach (int count in counts.Values)
        {
            double p = (double)count / total;
            entropy -= p * Math.Log2(p);
        }
        return (entropy, counts.Count > 1 ? entropy / Math.Log2(counts.Count) : 0);
    }
}
