using System.Text.Json.Nodes;
using RawEdit.Evaluation.Downstream;
using RawEdit.Evaluation.Metrics;

namespace RawEdit.Tests.Evaluation.Sequential;

/// <summary>
/// Tokenizer, fluency, generation entropy and classification figures against tools/reference/sequential_metrics_ref.py,
/// which runs nltk 3.8's NLTKWordTokenizer, nltk n-grams and sklearn 1.2 (Goldens/sequential-metrics).
/// </summary>
[TestFixture]
internal class MetricGoldenTests
{
    private static readonly JsonNode Golden = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Goldens("sequential-metrics"), "metrics.json")))!;

    private static IEnumerable<TestCaseData> Sentences() =>
        Golden["tokenized"]!.AsArray().Select(n => new TestCaseData((string)n!["sentence"]!, n["tokens"]!.AsArray().Select(t => (string)t!).ToArray())
            .SetArgDisplayNames((string)n["sentence"]!));

    [TestCaseSource(nameof(Sentences))]
    public void Sentence_tokens_match_nltk(string sentence, string[] expected) =>
        Assert.That(WordTokenizer.TokenizeSentence(sentence), Is.EqualTo(expected));

    [Test]
    public void Fluency_matches_the_ngram_entropy_of_rome_on_nltk_tokens()
    {
        foreach (var set in Golden["fluency"]!.AsArray())
        {
            var texts = set!["texts"]!.AsArray().Select(t => (string)t!).ToList();
            Assert.That(texts.Where(t => t.Length > 0).All(t => WordTokenizer.SplitSentences(t).Count == 1), "golden texts are single sentences");
            var perText = set["per_text"]!.AsArray().Select(v => (double)v!).ToList();
            for (int i = 0; i < texts.Count; i++) Assert.That(NgramFluency.OfText(texts[i]), Is.EqualTo(perText[i]).Within(1e-12), texts[i]);
            Assert.That(NgramFluency.Measure(texts), Is.EqualTo((double)set["mean"]!).Within(1e-12));
        }
    }

    [Test]
    public void Generation_entropy_matches_the_unigram_entropy_of_r_rome()
    {
        foreach (var item in Golden["generation_entropy"]!.AsArray())
        {
            var (entropy, normalized) = GenerationEntropy.Measure(item!["texts"]!.AsArray().Select(t => (string)t!));
            Assert.That(entropy, Is.EqualTo((double)item["entropy"]!).Within(1e-12));
            Assert.That(normalized, Is.EqualTo((double)item["normalized"]!).Within(1e-12));
        }
        Assert.That(GenerationEntropy.Measure(["same same", "same"]), Is.EqualTo((0.0, 0.0)), "one distinct word: collapsed (upstream divides by zero)");
    }

    [Test]
    public void Weighted_f1_and_mcc_match_sklearn_with_invalid_answers_as_their_own_class()
    {
        foreach (var item in Golden["classification"]!.AsArray())
        {
            var labels = item!["labels"]!.AsArray().Select(v => (int)v!).ToList();
            var predictions = item["predictions"]!.AsArray().Select(v => (int)v!).ToList();
            var scores = ClassificationScores.Compute(labels, predictions);
            Assert.That(scores.F1, Is.EqualTo((double)item["f1_weighted"]!).Within(1e-12));
            Assert.That(scores.Mcc, Is.EqualTo((double)item["mcc"]!).Within(1e-12));
        }
    }

    [Test]
    public void Sentences_split_at_stops_but_not_after_initials_or_common_abbreviations()
    {
        Assert.That(WordTokenizer.SplitSentences("He left. She stayed! Did they? Yes."), Is.EqualTo(new[] { "He left.", "She stayed!", "Did they?", "Yes." }));
        Assert.That(WordTokenizer.SplitSentences("Dr. Smith met J. Doe in St. Louis. Then he left."), Is.EqualTo(new[] { "Dr. Smith met J. Doe in St. Louis.", "Then he left." }));
        Assert.That(WordTokenizer.Tokenize("He left. She stayed."), Is.EqualTo(new[] { "He", "left", ".", "She", "stayed", "." }));
    }
}
