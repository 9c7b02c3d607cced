using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Metrics;
using RawEdit.Evaluation.Zsre;

namespace RawEdit.Tests.Evaluation;

/// <summary>zsRE token accuracy on the tiny GPT-2 fixture and on hand-made scores.</summary>
[TestFixture]
internal class ZsreMetricsTests
{
    private static ZsreEvaluator Evaluator() => new(DirectScoring.Fixture.Model, DirectScoring.Fixture.Tokenizer);

    private static double Accuracy(DirectScoring.Direct direct) => direct.IsArgmax.Count(x => x) / (double)direct.IsArgmax.Length;

    [Test]
    public void Token_accuracies_on_real_zsre_records_equal_direct_argmax_checks()
    {
        var loaded = DirectScoring.Fixture;
        var cases = EditCaseReader.ReadFile(TestPaths.Fixture("zsre/zsre_mend_train-1k.json"), limit: 8).Cases;
        var evaluation = Evaluator().Evaluate(cases);
        var efficacy = new List<double>(); var paraphrase = new List<double>(); var specificity = new List<double>();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var result = evaluation.Cases[i];
            var rewrite = DirectScoring.Score(loaded, c.RewritePrompt, c.TargetNew);
            var rephrase = DirectScoring.Score(loaded, c.ParaphrasePrompts[0], c.TargetNew);
            var neighbour = DirectScoring.Score(loaded, c.NeighborhoodPrompts[0].Prompt, c.NeighborhoodPrompts[0].TrueAnswer);
            Assert.That(result.Rewrite.Single().IsArgmax, Is.EqualTo(rewrite.IsArgmax));
            Assert.That(result.Paraphrase.Single().IsArgmax, Is.EqualTo(rephrase.IsArgmax));
            Assert.That(result.Neighborhood.Single().IsArgmax, Is.EqualTo(neighbour.IsArgmax));
            efficacy.Add(Accuracy(rewrite));
            paraphrase.Add(Accuracy(rephrase));
            specificity.Add(Accuracy(neighbour));
        }
        var s = evaluation.Scores;
        Assert.That(s.Records, Is.EqualTo(8));
        Assert.That(s.Efficacy, Is.EqualTo(100 * efficacy.Average()).Within(1e-9));
        Assert.That(s.Paraphrase, Is.EqualTo(100 * paraphrase.Average()).Within(1e-9));
        Assert.That(s.Specificity, Is.EqualTo(100 * specificity.Average()).Within(1e-9));
    }

    [Test]
    public void A_target_that_is_the_greedy_next_word_has_full_accuracy_and_an_unlikely_answer_none()
    {
        var loaded = DirectScoring.Fixture;
        // A question whose single most likely next token is a whole word, so " " + word is that one token.
        var (question, word) = EditCaseReader.ReadFile(TestPaths.Fixture("zsre/zsre_mend_train-1k.json"), limit: 200).Cases
            .Select(c => c.RewritePrompt)
            .Select(q => (Question: q, Words: DirectScoring.WordsByLikelihood(loaded, q)))
            .Where(q => q.Words[0].Id == DirectScoring.ArgMax(DirectScoring.NextTokenLogits(loaded, q.Question)))
            .Select(q => (q.Question, q.Words[0].Word))
            .First();
        string unlikely = DirectScoring.WordsByLikelihood(loaded, question)[^1].Word;
        // The template "question{}" with an empty subject is the question itself.
        var c = new EditCase("0", question + "{}", "", word, "x", [question], [new NeighborhoodPrompt(question, unlikely)], [], []);
        Assert.That(c.RewritePrompt, Is.EqualTo(question));
        var result = Evaluator().EvaluateCase(c);
        var scores = ZsreScores.Summarize([result]);
        Assert.That((scores.Efficacy, scores.Paraphrase, scores.Specificity, scores.S), Is.EqualTo((100.0, 100.0, 0.0, 0.0)));
    }

    [Test]
    public void Accuracy_pools_the_tokens_of_a_record_then_averages_records()
    {
        static TargetScore Tokens(params bool[] argmax) => new(argmax.Select(_ => -1.0).ToArray(), argmax);
        var a = new ZsreCaseResult("a", [Tokens(true, false, true)], [Tokens(true), Tokens(false, false)], [Tokens(true)]);
        var b = new ZsreCaseResult("b", [Tokens(true)], [Tokens(false)], [Tokens(false, true)]);
        Assert.That(a.RewriteAccuracy, Is.EqualTo(2 / 3.0).Within(1e-12));
        Assert.That(a.ParaphraseAccuracy, Is.EqualTo(1 / 3.0).Within(1e-12), "one correct token out of three, over both paraphrases");
        var s = ZsreScores.Summarize([a, b]);
        Assert.That(s.Efficacy, Is.EqualTo(100 * (2 / 3.0 + 1) / 2).Within(1e-12));
        Assert.That(s.Paraphrase, Is.EqualTo(100 * (1 / 3.0 + 0) / 2).Within(1e-12));
        Assert.That(s.Specificity, Is.EqualTo(100 * (1 + 0.5) / 2).Within(1e-12));
        Assert.That(s.S, Is.EqualTo(3 / (1 / s.Efficacy + 1 / s.Paraphrase + 1 / s.Specificity)).Within(1e-9));
        Assert.That(ZsreCaseResult.TokenAccuracy([]), Is.NaN);
    }
}
