namespace RawEdit.Evaluation.Metrics;

/// <summary>
/// ROME's generation fluency (experiments/py/eval_utils_counterfact.py, n_gram_entropy): per text, the
/// entropies in bits of its word bigram and trigram frequency distributions (words from nltk.word_tokenize,
/// here <see cref="WordTokenizer"/>), weighted 2/3 and 4/3 and averaged: H₂/3 + 2H₃/3; then the mean over
/// texts. Summaries multiply it by 100 (≈ 620 for GPT-2 XL). A text too short for an n-gram contributes 0 for that n.
/// </summary>
internal static class NgramFluency
{
    public static double Measure(IReadOnlyList<string> texts) => texts.Count == 0 ? double.NaN : texts.Average(OfText);

    public static double OfText(string text)
    {
        var words = WordTokenizer.Tokenize(text);
        return (2.0 / 3 * NgramEntropy(words, 2) + 4.0 / 3 * NgramEntropy(words, 3)) / 2;
    }

    /// <summary>−Σ f log₂ f over the relative frequencies f of the text's n-grams.</summary>
    public static double NgramEntropy(IReadOnlyList<string> words, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int total = 0;
        for (int i = 0; i + n <= words.Count; i++, total++)
        {
            string gram = string.Join('\u0001', words.Skip(i).Take(n));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        double entropy = 0;
        foreach (int count in counts.Values)
        {
            double f = (double)count / total;
            entropy -= f * Math.Log2(f);
        }
        return entropy;
    }
}
