using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Metrics;

namespace RawEdit.Tests.Evaluation;

/// <summary>CounterFact ES/PS/NS, magnitudes and S on the tiny GPT-2 fixture and on hand-made results.</summary>
[TestFixture]
internal class CounterFactMetricsTests
{
    private static CounterFactEvaluator Evaluator() => new(DirectScoring.Fixture.Model, DirectScoring.Fixture.Tokenizer);

    private static EditCase Case(string id, string prompt, string subject, string targetNew, string targetTrue,
        string[] paraphrases, params NeighborhoodPrompt[] neighbours) =>
        new(id, prompt, subject, targetNew, targetTrue, paraphrases, neighbours, [], []);

    [Test]
    public void Scores_on_real_flat_records_equal_the_upstream_formulas_over_direct_nlls()
    {
        var loaded = DirectScoring.Fixture;
        var cases = EditCaseReader.ReadFile(TestPaths.Fixture("counterfact/counterfact-train.json"), limit: 10).Cases;
        var evaluation = Evaluator().Evaluate(cases);

        var es = new List<double>(); var ps = new List<double>(); var ns = new List<double>();
        var em = new List<double>(); var pm = new List<double>(); var nm = new List<double>();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var result = evaluation.Cases[i];
            Assert.That(result.CaseId, Is.EqualTo(c.CaseId));
            (double New, double True) Nlls(string prompt, string trueAnswer) =>
                (DirectScoring.Score(loaded, prompt, c.TargetNew).MeanNll, DirectScoring.Score(loaded, prompt, trueAnswer).MeanNll);
            var rewrite = Nlls(c.RewritePrompt, c.TargetTrue);
            var paraphrase = Nlls(c.ParaphrasePrompts[0], c.TargetTrue);
            var neighbour = Nlls(c.NeighborhoodPrompts[0].Prompt, c.NeighborhoodPrompts[0].TrueAnswer);

            Assert.That(result.Rewrite.Single().NllNew, Is.EqualTo(rewrite.New).Within(1e-5));
            Assert.That(result.Rewrite.Single().NllTrue, Is.EqualTo(rewrite.True).Within(1e-5));
            Assert.That(result.Paraphrase.Single().NllNew, Is.EqualTo(paraphrase.New).Within(1e-5));
            Assert.That(result.Neighborhood.Single().NllTrue, Is.EqualTo(neighbour.True).Within(1e-5));

            es.Add(rewrite.New < rewrite.True ? 1 : 0);
            ps.Add(paraphrase.New < paraphrase.True ? 1 : 0);
            ns.Add(neighbour.True < neighbour.New ? 1 : 0);
            em.Add(Math.Exp(-rewrite.New) - Math.Exp(-rewrite.True));
            pm.Add(Math.Exp(-paraphrase.New) - Math.Exp(-paraphrase.True));
            nm.Add(Math.Exp(-neighbour.True) - Math.Exp(-neighbour.New));
        }
        var s = evaluation.Scores;
        Assert.That(s.Records, Is.EqualTo(10));
        Assert.That(s.ES, Is.EqualTo(100 * es.Average()).Within(1e-9));
        Assert.That(s.PS, Is.EqualTo(100 * ps.Average()).Within(1e-9));
        Assert.That(s.NS, Is.EqualTo(100 * ns.Average()).Within(1e-9));
        Assert.That(s.S, Is.EqualTo(3 / (1 / s.ES + 1 / s.PS + 1 / s.NS)).Within(1e-9));
        Assert.That(s.EM, Is.EqualTo(100 * em.Average()).Within(1e-5));
        Assert.That(s.PM, Is.EqualTo(100 * pm.Average()).Within(1e-5));
        Assert.That(s.NM, Is.EqualTo(100 * nm.Average()).Within(1e-5));
    }

    [Test]
    public void A_case_built_from_the_models_own_preferences_scores_100_and_its_reverse_scores_0()
    {
        var loaded = DirectScoring.Fixture;
        const string prompt = "The Eiffel Tower is in";
        var words = DirectScoring.WordsByLikelihood(loaded, prompt);
        string likely = words[0].Word, unlikely = words[^1].Word;
        // A neighbour whose most likely word is neither target: that word beats both targets there.
        var neighbour = new[] { "The Colosseum is in", "Big Ben is in", "The Louvre is in", "Mount Fuji is in" }
            .Select(q => new NeighborhoodPrompt(q, DirectScoring.WordsByLikelihood(loaded, q)[0].Word))
            .First(n => n.TrueAnswer != likely && n.TrueAnswer != unlikely);

        var forward = Evaluator().EvaluateCase(Case("1", "The {} is in", "Eiffel Tower", likely, unlikely, [prompt], neighbour));
        var scores = CounterFactScores.Summarize([forward]);
        Assert.That((scores.ES, scores.PS, scores.NS, scores.S), Is.EqualTo((100.0, 100.0, 100.0, 100.0)));

        // Single-token answers: EM = 100·(p(likely) − p(unlikely)) from the softmax of the next-token logits.
        var logits = DirectScoring.NextTokenLogits(loaded, prompt);
        double max = logits.Max(), z = logits.Sum(l => Math.Exp(l - max));
        double P(int id) => Math.Exp(logits[id] - max) / z;
        Assert.That(scores.EM, Is.EqualTo(100 * (P(words[0].Id) - P(words[^1].Id))).Within(1e-5));
        Assert.That(scores.PM, Is.EqualTo(scores.EM).Within(1e-12));
        Assert.That(scores.NM, Is.GreaterThan(0));

        var reversed = CounterFactScores.Summarize([Evaluator().EvaluateCase(Case("2", "The {} is in", "Eiffel Tower", unlikely, likely, [prompt], neighbour))]);
        Assert.That((reversed.ES, reversed.PS, reversed.NS, reversed.S), Is.EqualTo((0.0, 0.0, 100.0, 0.0)));
        Assert.That(reversed.EM, Is.EqualTo(-scores.EM).Within(1e-12));
    }

    [Test]
    public void Equal_answers_are_a_tie_which_counts_as_success_for_none_of_es_ps_ns()
    {
        var result = Evaluator().EvaluateCase(Case("3", "{} plays the", "Toko Yasuda", "guitar", "guitar", ["Toko Yasuda is great at"],
            new NeighborhoodPrompt("John Lennon performs on the", "guitar")));
        var scores = CounterFactScores.Summarize([result]);
        Assert.That((scores.ES, scores.PS, scores.NS, scores.EM, scores.PM, scores.NM), Is.EqualTo((0.0, 0.0, 0.0, 0.0, 0.0, 0.0)));
        Assert.That(result.Rewrite.Single().NllNew, Is.EqualTo(result.Rewrite.Single().NllTrue));
    }

    [Test]
    public void The_neighbourhood_true_answer_is_the_neighbours_own_answer_not_the_edits_target_true()
    {
        var loaded = DirectScoring.Fixture;
        var c = Case("4", "{} is the capital of", "Paris", "Italy", "France", ["Paris is a city in"],
            new NeighborhoodPrompt("Berlin is the capital of", "Germany"));
        var neighbour = Evaluator().EvaluateCase(c).Neighborhood.Single();
        Assert.That(neighbour.NllTrue, Is.EqualTo(DirectScoring.Score(loaded, "Berlin is the capital of", "Germany").MeanNll).Within(1e-5));
        Assert.That(neighbour.NllTrue, Is.Not.EqualTo(DirectScoring.Score(loaded, "Berlin is the capital of", "France").MeanNll).Within(1e-3));
        Assert.That(neighbour.NllNew, Is.EqualTo(DirectScoring.Score(loaded, "Berlin is the capital of", "Italy").MeanNll).Within(1e-5));
    }

    [Test]
    public void Correct_flags_say_whether_every_token_of_the_expected_answer_is_the_argmax()
    {
        var loaded = DirectScoring.Fixture;
        const string prompt = "The Eiffel Tower is in";
        var words = DirectScoring.WordsByLikelihood(loaded, prompt);
        bool topWordIsArgmax = DirectScoring.ArgMax(DirectScoring.NextTokenLogits(loaded, prompt)) == words[0].Id;
        var result = Evaluator().EvaluateCase(Case("5", "The {} is in", "Eiffel Tower", words[0].Word, "Paris France", [prompt]));
        Assert.That(result.Rewrite.Single().NewAllArgmax, Is.EqualTo(topWordIsArgmax));
        Assert.That(result.Rewrite.Single().TrueAllArgmax, Is.EqualTo(DirectScoring.Score(loaded, prompt, "Paris France").AllArgmax));
        Assert.That(CounterFactScores.Summarize([result]).RewriteAccuracy, Is.EqualTo(topWordIsArgmax ? 100 : 0));
    }

    [Test]
    public void Summaries_average_per_record_then_over_records_and_skip_records_without_a_kind()
    {
        static PromptComparison Won() => new("p", 1, 2, true, false);
        static PromptComparison Lost() => new("p", 2, 1, false, true);
        var cases = new[]
        {
            new CounterFactCaseResult("a", [Won()], [Won()], [Lost()]),
            new CounterFactCaseResult("b", [Lost()], [Won(), Lost()], [Lost(), Lost(), Won()]),
            new CounterFactCaseResult("c", [Won()], [], [Won()]),
        };
        var s = CounterFactScores.Summarize(cases);
        Assert.That(s.ES, Is.EqualTo(100 * 2 / 3.0).Within(1e-12));
        Assert.That(s.PS, Is.EqualTo(75).Within(1e-12), "records a and b: (1 + 1/2) / 2; c has no paraphrase");
        Assert.That(s.NS, Is.EqualTo(100 * (1 + 2 / 3.0 + 0) / 3).Within(1e-12));
        Assert.That(s.S, Is.EqualTo(3 / (1 / s.ES + 1 / s.PS + 1 / s.NS)).Within(1e-12));
        double margin = Math.Exp(-1) - Math.Exp(-2);
        Assert.That(s.EM, Is.EqualTo(100 * margin / 3).Within(1e-12));
        Assert.That(s.PM, Is.EqualTo(100 * (margin + 0) / 2).Within(1e-12));
        Assert.That(s.RewriteAccuracy, Is.EqualTo(100 * 2 / 3.0).Within(1e-12));
        Assert.That(s.NeighborhoodAccuracy, Is.EqualTo(100 * (1 + 2 / 3.0 + 0) / 3).Within(1e-12), "neighbours need the true answer to be argmax");

        var noParaphrases = CounterFactScores.Summarize([new CounterFactCaseResult("d", [Won()], [], [Won()])]);
        Assert.That(noParaphrases.PS, Is.NaN);
        Assert.That(noParaphrases.S, Is.NaN);
    }

    [Test]
    public void Harmonic_mean_is_zero_when_any_score_is_zero()
    {
        Assert.That(RecordAverages.HarmonicMean(50, 50, 50), Is.EqualTo(50).Within(1e-12));
        Assert.That(RecordAverages.HarmonicMean(100, 50, 25), Is.EqualTo(3 / (0.01 + 0.02 + 0.04)).Within(1e-12));
        Assert.That(RecordAverages.HarmonicMean(100, 0, 100), Is.Zero);
        // ROME's GPT-2 XL row (ES 100.0, PS 96.4, NS 75.4) gives S 89.2 (editing-methods.md §6).
        Assert.That(RecordAverages.HarmonicMean(100.0, 96.4, 75.4), Is.EqualTo(89.2).Within(0.05));
    }

    [Test]
    public void Cases_scored_in_shared_chunks_match_cases_scored_alone()
    {
        var cases = EditCaseReader.ReadFile(TestPaths.Fixture("counterfact/counterfact-val.json"), limit: CounterFactEvaluator.CasesPerChunk + 3).Cases;
        var reported = new List<int>();
        var together = Evaluator().Evaluate(cases, new Collect(reported));
        Assert.That(reported, Is.EqualTo(new[] { CounterFactEvaluator.CasesPerChunk, cases.Count }));
        var evaluator = Evaluator();
        for (int i = 0; i < cases.Count; i += 22)
        {
            var alone = evaluator.EvaluateCase(cases[i]);
            var pairs = together.Cases[i].Rewrite.Concat(together.Cases[i].Paraphrase).Concat(together.Cases[i].Neighborhood)
                .Zip(alone.Rewrite.Concat(alone.Paraphrase).Concat(alone.Neighborhood));
            foreach (var (a, b) in pairs)
            {
                Assert.That(a.NllNew, Is.EqualTo(b.NllNew).Within(1e-5));
                Assert.That(a.NllTrue, Is.EqualTo(b.NllTrue).Within(1e-5));
            }
        }
    }

    private sealed class Collect(List<int> into) : IProgress<int>
    {
        public void Report(int value) => into.Add(value);
    }
}
