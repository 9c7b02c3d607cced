using RawEdit.Evaluation.Metrics;

namespace RawEdit.Tests.Evaluation;

/// <summary>The scorer against a direct single-sequence computation on the Hugging Face tiny GPT-2 fixture.</summary>
[TestFixture]
internal class TeacherForcedScorerTests
{
    private static ScoringRequest Request(string prompt, string answer) =>
        new(DirectScoring.Fixture.Tokenizer.Encode(prompt), DirectScoring.Fixture.Tokenizer.Encode(" " + answer));

    [Test]
    public void Log_probabilities_and_argmax_flags_match_a_direct_forward_pass_with_log_softmax()
    {
        var loaded = DirectScoring.Fixture;
        var request = Request("The Eiffel Tower is located in the city of", "Paris, France");
        Assert.That(request.Target, Has.Length.GreaterThan(2), "a multi-token target exercises the teacher-forced positions");

        var score = new TeacherForcedScorer(loaded.Model).Score(request);
        var direct = DirectScoring.Score(loaded.Model, request.Prompt, request.Target);

        // The scorer takes log-softmax in double on the host, the direct path in float32 on the device.
        Assert.That(score.LogProbabilities, Is.EqualTo(direct.LogProbabilities).Within(1e-5));
        Assert.That(score.MeanNll, Is.EqualTo(direct.MeanNll).Within(1e-5));
        Assert.That(score.IsArgmax, Is.EqualTo(direct.IsArgmax));
        Assert.That(score.MeanNll, Is.GreaterThan(0));
    }

    [Test]
    public void Scoring_many_requests_in_padded_batches_gives_the_scores_of_scoring_each_alone()
    {
        var loaded = DirectScoring.Fixture;
        var requests = new[]
        {
            Request("Toko Yasuda, the", "piano"),
            Request("Toko Yasuda, the", "guitar"),
            Request("The mother tongue of Danielle Darrieux is", "English"),
            Request("Autonomous University of Madrid, which is located in", "Sweden"),
            Request("What is the product made by UniFirst?", "unmanned aircraft"),
            Request("nq question: john goodman's character in the big lebowski?", "Walter Sobchak"),
            Request("A", "b"),
        };
        var batched = new TeacherForcedScorer(loaded.Model, maxTokensPerBatch: 64).Score(requests);
        var wholeBatch = new TeacherForcedScorer(loaded.Model).Score(requests);
        for (int r = 0; r < requests.Length; r++)
        {
            var alone = new TeacherForcedScorer(loaded.Model, maxTokensPerBatch: 1).Score(requests[r]);
            // Padding and batch composition must not change a sequence's scores; the bound leaves room
            // for a GEMM whose blocking depends on the number of rows.
            Assert.That(batched[r].LogProbabilities, Is.EqualTo(alone.LogProbabilities).Within(1e-5), $"request {r}");
            Assert.That(wholeBatch[r].LogProbabilities, Is.EqualTo(alone.LogProbabilities).Within(1e-5), $"request {r}");
            Assert.That(batched[r].IsArgmax, Is.EqualTo(alone.IsArgmax), $"request {r}");
            Assert.That(alone.LogProbabilities, Is.EqualTo(DirectScoring.Score(loaded.Model, requests[r].Prompt, requests[r].Target).LogProbabilities).Within(1e-5));
        }
    }

    [Test]
    public void A_target_that_is_the_greedy_next_token_is_flagged_argmax_and_a_less_likely_one_is_not()
    {
        var loaded = DirectScoring.Fixture;
        const string prompt = "The capital of France is";
        var logits = DirectScoring.NextTokenLogits(loaded, prompt);
        int greedy = DirectScoring.ArgMax(logits);
        int other = greedy == 100 ? 101 : 100;
        var scorer = new TeacherForcedScorer(loaded.Model);
        var ids = loaded.Tokenizer.Encode(prompt);
        var best = scorer.Score(new ScoringRequest(ids, [greedy]));
        var worse = scorer.Score(new ScoringRequest(ids, [other]));
        Assert.That(best.AllArgmax, Is.True);
        Assert.That(worse.AllArgmax, Is.False);
        Assert.That(best.MeanNll, Is.LessThan(worse.MeanNll));
        // One token: NLL = −log softmax(z)[t] = logsumexp(z) − z[t], so the NLL gap is the logit gap.
        Assert.That(worse.MeanNll - best.MeanNll, Is.EqualTo((double)logits[greedy] - logits[other]).Within(1e-4));
    }

    [Test]
    public void Requests_that_cannot_be_scored_are_refused_with_their_index()
    {
        var scorer = new TeacherForcedScorer(DirectScoring.Fixture.Model);
        Assert.That(() => scorer.Score([new ScoringRequest([1], [2]), new ScoringRequest([], [2])]),
            Throws.ArgumentException.With.Message.Contains("request 1 has an empty prompt"));
        Assert.That(() => scorer.Score(new ScoringRequest([1], [])), Throws.ArgumentException.With.Message.Contains("empty target"));
        Assert.That(() => scorer.Score(new ScoringRequest(new int[250], new int[10])),
            Throws.ArgumentException.With.Message.Contains("260 tokens; the model takes at most 256"));
        Assert.That(() => scorer.Score(new ScoringRequest([1], [50257])), Throws.ArgumentException.With.Message.Contains("token id 50257"));
        Assert.That(() => new TeacherForcedScorer(DirectScoring.Fixture.Model, 0), Throws.ArgumentException);
    }
}
