using System.Text.Json;
using RawEdit.Evaluation.Datasets;

namespace RawEdit.Tests.Evaluation;

/// <summary>The three dataset forms on the shared files and on hand-written records.</summary>
[TestFixture]
internal class EditCaseReaderTests
{
    private static readonly string FlatTrain = TestPaths.Fixture("counterfact/counterfact-train.json");
    private static readonly string Zsre = TestPaths.Fixture("zsre/zsre_mend_train-1k.json");

    [TestCase("counterfact/counterfact-train.json")]
    [TestCase("counterfact/counterfact-edit.json")]
    public void Every_flat_counterfact_record_loads_and_its_template_gives_back_the_prompt(string file)
    {
        var dataset = EditCaseReader.ReadFile(TestPaths.Fixture(file));
        Assert.That(dataset.Form, Is.EqualTo(DatasetForm.FlatCounterFact));
        Assert.That(dataset.NaturalKind, Is.EqualTo(DatasetKind.CounterFact));
        Assert.That(dataset.Cases, Has.Count.EqualTo(10_000));

        using var raw = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture(file)));
        int i = 0;
        foreach (var record in raw.RootElement.EnumerateArray())
        {
            var c = dataset.Cases[i++];
            Assert.That(c.CaseId, Is.EqualTo(record.GetProperty("case_id").GetInt32().ToString()));
            Assert.That(c.Prompt, Does.Contain("{}"));
            Assert.That(c.RewritePrompt, Is.EqualTo(record.GetProperty("prompt").GetString()));
            Assert.That(c.TargetNew, Is.EqualTo(record.GetProperty("target_new").GetString()));
            Assert.That(c.TargetTrue, Is.EqualTo(record.GetProperty("ground_truth").GetString()));
            Assert.That(c.ParaphrasePrompts, Is.EqualTo(new[] { record.GetProperty("rephrase_prompt").GetString() }));
            Assert.That(c.NeighborhoodPrompts, Is.EqualTo(new[]
            {
                new NeighborhoodPrompt(record.GetProperty("locality_prompt").GetString()!, record.GetProperty("locality_ground_truth").GetString()!),
            }));
        }
    }

    [Test]
    public void A_flat_record_reads_as_upstream_would_arrange_it()
    {
        var c = EditCaseReader.ReadFile(FlatTrain, limit: 1).Cases.Single();
        Assert.That(c, Is.EqualTo(c with
        {
            CaseId = "2", Prompt = "{}, the", Subject = "Toko Yasuda", TargetNew = "piano", TargetTrue = "guitar",
        }));
        Assert.That(c.RewritePrompt, Is.EqualTo("Toko Yasuda, the"));
        Assert.That(c.ParaphrasePrompts, Is.EqualTo(new[] { "Toko Yasuda is incredible at" }));
        Assert.That(c.NeighborhoodPrompts.Single(), Is.EqualTo(new NeighborhoodPrompt("John Lennon performs on the", "guitar")));
        Assert.That(c.GenerationPrompts, Is.Empty);
        Assert.That(c.AttributePrompts, Is.Empty);
    }

    [Test]
    public void The_flat_neighbourhood_answer_is_locality_ground_truth_even_where_it_differs_from_ground_truth()
    {
        const string json = """
            [{"case_id": 5, "prompt": "Paris is the capital of", "subject": "Paris", "target_new": "Italy", "ground_truth": "France",
              "rephrase_prompt": "Paris is a city in", "locality_prompt": "Berlin is the capital of", "locality_ground_truth": "Germany"}]
            """;
        var c = EditCaseReader.Parse(json).Cases.Single();
        Assert.That(c.TargetTrue, Is.EqualTo("France"));
        Assert.That(c.NeighborhoodPrompts.Single(), Is.EqualTo(new NeighborhoodPrompt("Berlin is the capital of", "Germany")));
    }

    [Test]
    public void Only_the_first_occurrence_of_the_subject_becomes_the_placeholder()
    {
        const string json = """
            [{"case_id": 1, "prompt": "Ford and Ford Motor: Ford", "subject": "Ford", "target_new": "a", "ground_truth": "b",
              "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "b"}]
            """;
        var c = EditCaseReader.Parse(json).Cases.Single();
        Assert.That(c.Prompt, Is.EqualTo("{} and Ford Motor: Ford"));
        Assert.That(c.RewritePrompt, Is.EqualTo("Ford and Ford Motor: Ford"));
    }

    [Test]
    public void All_zsre_records_load_as_rome_arranges_them()
    {
        var dataset = EditCaseReader.ReadFile(Zsre);
        Assert.That(dataset.Form, Is.EqualTo(DatasetForm.ZsreMend));
        Assert.That(dataset.NaturalKind, Is.EqualTo(DatasetKind.Zsre));
        Assert.That(dataset.Cases, Has.Count.EqualTo(1000));

        var first = dataset.Cases[0];
        Assert.That(first.CaseId, Is.EqualTo("0"));
        Assert.That(first.Prompt, Is.EqualTo("What is the product made by {}?"));
        Assert.That(first.Subject, Is.EqualTo("UniFirst"));
        Assert.That(first.RewritePrompt, Is.EqualTo("What is the product made by UniFirst?"));
        Assert.That(first.TargetNew, Is.EqualTo("unmanned aircraft"));
        Assert.That(first.TargetTrue, Is.EqualTo("uniform"));
        Assert.That(first.ParaphrasePrompts, Is.EqualTo(new[] { "What will be the product of UniFirst?" }));
        Assert.That(first.NeighborhoodPrompts.Single(),
            Is.EqualTo(new NeighborhoodPrompt("nq question: john goodman's character in the big lebowski?", "Walter Sobchak")));

        using var raw = JsonDocument.Parse(File.ReadAllText(Zsre));
        for (int i = 0; i < 1000; i++)
        {
            var record = raw.RootElement[i];
            Assert.That(dataset.Cases[i].RewritePrompt, Is.EqualTo(record.GetProperty("src").GetString()));
            Assert.That(dataset.Cases[i].TargetNew, Is.EqualTo(record.GetProperty("alt").GetString()));
            Assert.That(dataset.Cases[i].TargetTrue, Is.EqualTo(record.GetProperty("answers")[0].GetString()));
        }
        Assert.That(dataset.Cases[534].TargetNew, Is.Empty, "the file has records with an empty alt; they are kept as upstream keeps them");
    }

    [Test]
    public void Upstream_counterfact_records_keep_their_prompt_lists_and_neighbours_answer_with_target_true()
    {
        const string json = """
            [{"case_id": 0, "pararel_idx": 2796,
              "requested_rewrite": {"prompt": "The mother tongue of {} is", "relation_id": "P103",
                                    "target_new": {"str": "English", "id": "Q1860"}, "target_true": {"str": "French", "id": "Q150"},
                                    "subject": "Danielle Darrieux"},
              "paraphrase_prompts": ["Shayna does this and Yossel goes still and dies. Danielle Darrieux, a native", "An album was recorded for Capitol Nashville but never released. Danielle Darrieux spoke the language"],
              "neighborhood_prompts": ["The mother tongue of Léon Blum is", "The native language of Montesquieu is"],
              "attribute_prompts": ["J.\u00a0R.\u00a0R. Tolkien is a native speaker of"],
              "generation_prompts": ["Danielle Darrieux's mother tongue is"]}]
            """;
        var dataset = EditCaseReader.Parse(json);
        Assert.That(dataset.Form, Is.EqualTo(DatasetForm.CounterFact));
        var c = dataset.Cases.Single();
        Assert.That(c.CaseId, Is.EqualTo("0"));
        Assert.That(c.RewritePrompt, Is.EqualTo("The mother tongue of Danielle Darrieux is"));
        Assert.That((c.TargetNew, c.TargetTrue), Is.EqualTo(("English", "French")));
        Assert.That(c.ParaphrasePrompts, Has.Count.EqualTo(2));
        Assert.That(c.NeighborhoodPrompts, Is.EqualTo(new[]
        {
            new NeighborhoodPrompt("The mother tongue of Léon Blum is", "French"),
            new NeighborhoodPrompt("The native language of Montesquieu is", "French"),
        }));
        Assert.That(c.AttributePrompts, Is.EqualTo(new[] { "J.\u00a0R.\u00a0R. Tolkien is a native speaker of" }));
        Assert.That(c.GenerationPrompts, Is.EqualTo(new[] { "Danielle Darrieux's mother tongue is" }));
    }

    [Test]
    public void A_limit_reads_only_the_first_records()
    {
        var all = EditCaseReader.ReadFile(FlatTrain).Cases;
        var some = EditCaseReader.ReadFile(FlatTrain, limit: 7).Cases;
        Assert.That(some.Select(c => c.CaseId), Is.EqualTo(all.Take(7).Select(c => c.CaseId)));
        Assert.That(EditCaseReader.ReadFile(Zsre, limit: 5000).Cases, Has.Count.EqualTo(1000));
    }
}
