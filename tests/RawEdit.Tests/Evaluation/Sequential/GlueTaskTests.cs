using RawEdit.Evaluation.Downstream;

namespace RawEdit.Tests.Evaluation.Sequential;

/// <summary>Prompts and answer parsing of the forgetting study's four tasks, and the scores on a hand-worked example.</summary>
[TestFixture]
internal class GlueTaskTests
{
    private static readonly GlueExample Single = new("a deep and meaningful film . ", null, 1);
    private static readonly GlueExample Pair = new("First sentence.", "Second sentence.", 0);

    [Test]
    public void Prompts_are_the_few_shot_context_then_the_query_ending_in_the_answer_marker()
    {
        string sst = GlueTasks.Sst2.Prompt(Single);
        Assert.That(sst, Does.StartWith("Review : excruciatingly unfunny and pitifully unromantic\nSentiment : negative\n\nReview : rich veins"));
        Assert.That(sst, Does.EndWith("Sentiment : positive\n\nReview : a deep and meaningful film . \nSentiment :"));
        Assert.That(sst.Split("Review : ").Length - 1, Is.EqualTo(5), "4 shots and the query");

        string mrpc = GlueTasks.Mrpc.Prompt(Pair);
        Assert.That(mrpc.Split("Are the sentences paraphrases of each other.\n").Length - 1, Is.EqualTo(7), "6 shots and the query");
        Assert.That(mrpc, Does.EndWith("Answer: No\n\nAre the sentences paraphrases of each other.\nSentence 1: First sentence.\nSentence 2: Second sentence.\nAnswer:"));

        string cola = GlueTasks.Cola.Prompt(Single);
        Assert.That(cola.Split("Is this sentence linguistically acceptable?\n").Length - 1, Is.EqualTo(7));
        Assert.That(cola, Does.EndWith("Answer : No\n\nIs this sentence linguistically acceptable?\nSentence : a deep and meaningful film . \nAnswer :"));

        string rte = GlueTasks.Rte.Prompt(Pair);
        Assert.That(rte.Split(" True or False?\n").Length - 1, Is.EqualTo(4), "3 shots and the query");
        Assert.That(rte, Does.EndWith("answer: False\n\nFirst sentence.\nquestion: Second sentence. True or False?\nanswer:"));
    }

    [TestCase("sst2", " positive", 1)]
    [TestCase("sst2", " negative.", 0)]
    [TestCase("sst2", " neutral", -1)]
    [TestCase("sst2", " not positive", 1)]
    [TestCase("sst2", " positive negative", 1)]
    [TestCase("sst2", "\n\nReview", -1)]
    [TestCase("mrpc", " Yes", 1)]
    [TestCase("mrpc", " None", 0)]
    [TestCase("mrpc", " yes", -1)]
    [TestCase("cola", " Yes\n", 1)]
    [TestCase("cola", " No", 0)]
    [TestCase("rte", " True", 1)]
    [TestCase("rte", " True or False", 0)]
    [TestCase("rte", " false", -1)]
    public void Answers_are_parsed_from_the_text_after_the_last_marker(string task, string continuation, int expected)
    {
        var glue = GlueTasks.All.Single(t => t.Name == task);
        var example = task is "mrpc" or "rte" ? Pair : Single;
        // The few-shot answers before the query must not count: only the text after the last marker does.
        Assert.That(glue.ParseAnswer(glue.Prompt(example) + continuation), Is.EqualTo(expected));
    }

    [Test]
    public void Scores_of_a_hand_worked_example()
    {
        // labels 1 0 1 1, predictions 1 −1 0 1: class 1 has TP 2, FN 1 → F1 0.8 (support 3), class 0 F1 0 (support 1) → weighted 0.6;
        // MCC = (c·s − Σ p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)) = (2·4 − 7) / √((16 − 6)(16 − 10)) = 1/√60.
        var scores = ClassificationScores.Compute([1, 0, 1, 1], [1, -1, 0, 1]);
        Assert.That((scores.Correct, scores.Incorrect, scores.Invalid, scores.Total), Is.EqualTo((2, 1, 1, 4)));
        Assert.That(scores.Accuracy, Is.EqualTo(0.5));
        Assert.That(scores.F1, Is.EqualTo(0.6).Within(1e-15));
        Assert.That(scores.Mcc, Is.EqualTo(1 / Math.Sqrt(60)).Within(1e-15));
    }

    [Test]
    public void The_shared_task_files_hold_200_balanced_examples_each()
    {
        foreach (var task in GlueTasks.All)
        {
            var examples = GlueData.Read(TestPaths.Shared("glue/" + task.FileName));
            Assert.That(examples, Has.Count.EqualTo(200), task.Name);
            Assert.That(examples.Count(e => e.Label == 1), Is.EqualTo(100), task.Name);
            Assert.That(examples.All(e => (e.Sentence2 is null) == task is { Name: "sst2" or "cola" }), task.Name);
        }
    }
}
