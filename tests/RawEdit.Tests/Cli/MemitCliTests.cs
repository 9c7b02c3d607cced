using System.Text.Json.Nodes;
using RawEdit.Editing.Memit;
using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Cli;

/// <summary><c>rawedit edit --method memit</c> end to end on the default model, its TinyWorld hparams and shipped statistics.</summary>
[TestFixture]
internal class MemitCliTests : TempFolderTest
{
    [Test]
    public void Two_requests_in_one_batch_take_effect_and_the_report_gives_delta_per_layer()
    {
        // The world's first two edit cases, in the upstream CounterFact form the file holds.
        var cases = JsonNode.Parse(File.ReadAllText(TestPaths.InRepo("weights/tiny-world/counterfact.json")))!.AsArray();
        string requests = Path.Combine(temp, "requests.json");
        File.WriteAllText(requests, new JsonArray(cases[0]!.DeepClone(), cases[1]!.DeepClone()).ToJsonString());
        string outDir = Path.Combine(temp, "edited"), report = Path.Combine(temp, "report.json");

        var (code, output, err) = CliTests.Run("", "edit", "--model", "tiny-world", "--method", "memit", "--requests", requests, "--out", outDir, "--report", report);
        Assert.That(code, Is.Zero, err + output);

        var h = MemitHyperParameters.TinyWorld;
        var layers = JsonNode.Parse(File.ReadAllText(report))!["layers"]!.AsArray();
        Assert.That(layers.Select(l => (int)l!["layer"]!), Is.EqualTo(h.Layers));
        Assert.That(layers.Select(l => (double)l!["delta_magnitude"]!), Has.All.GreaterThan(0));

        var original = ModelLocator.Load("tiny-world").Model;
        var edited = Gpt2Checkpoint.Load(outDir).Model;
        var editedNames = h.Layers.Select(l => original.MlpDownProjection(l).Name).ToHashSet();
        foreach (var (name, tensor) in original.Parameters)
            Assert.That(tensor.ToFloatArray().SequenceEqual(edited[name].ToFloatArray()), Is.EqualTo(!editedNames.Contains(name)), name);

        var tokenizer = Gpt2Tokenizer.Default;
        foreach (var record in cases.Take(2))
        {
            var rewrite = record!["requested_rewrite"]!;
            string prompt = ((string)rewrite["prompt"]!).Replace("{}", (string)rewrite["subject"]!);
            int expected = tokenizer.Encode(" " + (string)rewrite["target_new"]!["str"]!)[0];
            Assert.That(NextToken(original, tokenizer.Encode(prompt)), Is.Not.EqualTo(expected), $"before: {prompt}");
            Assert.That(NextToken(edited, tokenizer.Encode(prompt)), Is.EqualTo(expected), $"after: {prompt}");
        }
    }

    [Test]
    public void Missing_statistics_and_bad_hparams_are_named()
    {
        string requests = Path.Combine(temp, "r.json");
        File.WriteAllText(requests, """{"prompt": "{} is in", "subject": "Paris", "target_new": "Rome"}""");
        string hparams = Path.Combine(temp, "h.json");
        File.WriteAllText(hparams, """{"layers": [0, 1], "v_loss_layer": 3, "mom2_update_weigth": 10}""");
        var bad = CliTests.Run("", "edit", "--model", "tiny-world", "--method", "memit", "--requests", requests, "--hparams", hparams, "--out", Path.Combine(temp, "x"));
        Assert.That(bad.Code, Is.Not.Zero);
        Assert.That(bad.Err, Does.Contain("unknown MEMIT hyperparameter 'mom2_update_weigth'"));

        File.WriteAllText(hparams, """{"layers": [0, 1], "v_loss_layer": 3, "mom2_n_samples": 7}""");
        var missing = CliTests.Run("", "edit", "--model", "tiny-world", "--method", "memit", "--requests", requests, "--hparams", hparams, "--out", Path.Combine(temp, "x"));
        Assert.That(missing.Code, Is.Not.Zero);
        Assert.That(missing.Err, Does.Contain("no second-moment statistics for layer 0 with 7 samples"));
        Assert.That(Directory.Exists(Path.Combine(temp, "x")), Is.False, "nothing is written when the input is bad");
    }

    private static int NextToken(ICausalLanguageModel model, int[] ids)
    {
        var logits = model.Forward(TokenBatch.Single(ids, model.EosTokenId)).ToFloatArray();
        return VocabularyHead.ArgMaxOf(logits.AsSpan((ids.Length - 1) * model.VocabSize, model.VocabSize));
    }
}
