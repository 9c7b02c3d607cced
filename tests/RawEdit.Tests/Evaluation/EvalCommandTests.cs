using System.Text.Json;
using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Datasets;
using RawEdit.Tests.Cli;

namespace RawEdit.Tests.Evaluation;

/// <summary><c>rawedit eval</c> as a user runs it.</summary>
[TestFixture]
internal class EvalCommandTests
{
    private static readonly string Model = TestPaths.Fixture("fixtures/hf-tiny-gpt2");
    private static readonly string Flat = TestPaths.Fixture("counterfact/counterfact-train.json");
    private static readonly string Zsre = TestPaths.Fixture("zsre/zsre_mend_train-1k.json");

    private static JsonElement LastLineJson(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return JsonDocument.Parse(lines[^1]).RootElement;
    }

    [Test]
    public void Counterfact_json_is_the_last_line_with_the_scores_of_the_library()
    {
        var (code, output, err) = CliTests.Run("", "eval", "--model", Model, "--dataset", "counterfact", "--data", Flat, "--limit", "5", "--json");
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("ES").And.Contain("Neighbourhood success"));
        var json = LastLineJson(output);
        Assert.That(json.GetProperty("dataset").GetString(), Is.EqualTo("counterfact"));
        Assert.That(json.GetProperty("form").GetString(), Is.EqualTo("flat-counterfact"));
        Assert.That(json.GetProperty("records").GetInt32(), Is.EqualTo(5));
        foreach (var key in new[] { "ES", "PS", "NS", "S", "rewrite_acc", "paraphrase_acc", "neighborhood_acc" })
            Assert.That(json.GetProperty(key).GetDouble(), Is.InRange(0.0, 100.0), key);
        foreach (var key in new[] { "EM", "PM", "NM" })
            Assert.That(json.GetProperty(key).GetDouble(), Is.InRange(-100.0, 100.0), key);

        var loaded = DirectScoring.Fixture;
        var expected = new CounterFactEvaluator(loaded.Model, loaded.Tokenizer).Evaluate(EditCaseReader.ReadFile(Flat, 5).Cases).Scores;
        Assert.That(json.GetProperty("ES").GetDouble(), Is.EqualTo(expected.ES).Within(1e-6));
        Assert.That(json.GetProperty("NS").GetDouble(), Is.EqualTo(expected.NS).Within(1e-6));
        Assert.That(json.GetProperty("EM").GetDouble(), Is.EqualTo(expected.EM).Within(1e-6));
    }

    [Test]
    public void Zsre_is_chosen_from_the_file_form_and_prints_efficacy_paraphrase_specificity()
    {
        var (code, output, err) = CliTests.Run("", "eval", "--model", Model, "--data", Zsre, "--limit", "5", "--json");
        Assert.That(code, Is.Zero, err);
        var json = LastLineJson(output);
        Assert.That(json.GetProperty("dataset").GetString(), Is.EqualTo("zsre"));
        Assert.That(json.GetProperty("records").GetInt32(), Is.EqualTo(5));
        foreach (var key in new[] { "efficacy", "paraphrase", "specificity", "S" })
            Assert.That(json.GetProperty(key).GetDouble(), Is.InRange(0.0, 100.0), key);
    }

    [Test]
    public void Without_json_the_output_is_a_table_only_and_repeats_exactly()
    {
        string[] args = ["eval", "--model", Model, "--data", Flat, "--limit", "3"];
        var first = CliTests.Run("", args);
        Assert.That(first.Code, Is.Zero, first.Err);
        Assert.That(first.Out, Does.Not.Contain("{"));
        Assert.That(first.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(11), "a title and ten scores");
        Assert.That(CliTests.Run("", args).Out, Is.EqualTo(first.Out));
    }

    [TestCase("--data", "/no/such/data.json", ExpectedResult = "dataset file not found: /no/such/data.json")]
    [TestCase("--data", "FLAT", "--dataset", "squad", ExpectedResult = "--dataset must be counterfact or zsre, got 'squad'")]
    [TestCase("--data", "FLAT", "--limit", "0", ExpectedResult = "--limit must be a positive number of records, got 0")]
    [TestCase("--data", "BAD", ExpectedResult = "bad.json: record 1 (case_id 8) is missing field 'ground_truth'")]
    public string Bad_input_gives_one_clear_line_and_a_nonzero_exit(params string[] options)
    {
        string bad = Path.Combine(Path.GetTempPath(), $"rawedit-eval-{Guid.NewGuid():N}", "bad.json");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllText(bad, """
            [{"case_id": 7, "prompt": "A b", "subject": "A", "target_new": "c", "ground_truth": "d", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "d"},
             {"case_id": 8, "prompt": "A b", "subject": "A", "target_new": "c", "rephrase_prompt": "r", "locality_prompt": "l", "locality_ground_truth": "d"}]
            """);
        try
        {
            var args = new[] { "eval", "--model", Model }.Concat(options.Select(o => o == "FLAT" ? Flat : o == "BAD" ? bad : o)).ToArray();
            var (code, _, err) = CliTests.Run("", args);
            Assert.That(code, Is.Not.Zero);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(1), err);
            Assert.That(lines[0], Does.StartWith("rawedit: error: "));
            return lines[0]["rawedit: error: ".Length..];
        }
        finally { Directory.Delete(Path.GetDirectoryName(bad)!, recursive: true); }
    }
}
