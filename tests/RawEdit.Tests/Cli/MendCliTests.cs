using System.Text.Json.Nodes;
using RawEdit.Models.Gpt2;

namespace RawEdit.Tests.Cli;

/// <summary>mend-train, mend-eval and edit --method mend end to end on the one-layer HF fixture with a few world cases.</summary>
[TestFixture]
internal class MendCliTests : TempFolderTest
{
    /// <summary>The first twelve edit cases of the default model's world (case ids 0–11).</summary>
    private string Cases()
    {
        var all = JsonNode.Parse(File.ReadAllText(TestPaths.InRepo("weights/tiny-world/counterfact.json")))!.AsArray();
        return Write("cases.json", new JsonArray(all.Take(12).Select(c => c!.DeepClone()).ToArray()).ToJsonString());
    }

    [Test]
    public void Train_then_edit_with_the_editor_changes_only_the_edited_matrices()
    {
        string hparams = Write("hparams.json", """{"rank": 8, "lr": 1e-3, "accumulate_bs": 2, "val_every": 4, "val_steps": 2, "max_iters": 4}""");
        string cases = Cases(), editorDir = Path.Combine(temp, "editor");
        var (code, output, err) = CliTests.Run("", "mend-train", "--model", Fixture, "--data", cases, "--val", cases, "--out", editorDir,
            "--hparams", hparams, "--eval-limit", "1");
        Assert.That(code, Is.Zero, err + output);
        Assert.That(File.Exists(Path.Combine(editorDir, "editor.safetensors")));
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(editorDir, "report.json")))!;
        Assert.That((int)report["iterations"]!, Is.EqualTo(5), "windows of 3 (upstream's first: accumulate_bs + 1) and 2: the first update at or past max_iters");

        (code, output, err) = CliTests.Run("", "mend-train", "--model", Fixture, "--data", cases, "--val", cases, "--out", editorDir, "--hparams", hparams,
            "--eval-limit", "0");
        Assert.That(code, Is.Zero, err + output);
        Assert.That(output, Does.Contain("resuming from"));

        (code, output, err) = CliTests.Run("", "mend-eval", "--model", Fixture, "--editor", editorDir, "--data", cases, "--part", "all", "--limit", "2", "--json");
        Assert.That(code, Is.Zero, err + output);
        Assert.That(JsonNode.Parse(output.Trim().Split('\n')[^1])!["mend"]!["Records"]!.GetValue<int>(), Is.EqualTo(2));

        string requests = Write("requests.json", """[{"prompt": "The Eiffel Tower is in", "subject": "The Eiffel Tower", "target_new": "Rome", "ground_truth": "Paris"}]""");
        string outDir = Path.Combine(temp, "edited");
        (code, output, err) = CliTests.Run("", "edit", "--model", Fixture, "--method", "mend", "--editor", editorDir, "--requests", requests, "--out", outDir);
        Assert.That(code, Is.Zero, err + output);
        var original = Gpt2Checkpoint.Load(Fixture).Model;
        var edited = Gpt2Checkpoint.Load(outDir).Model;
        foreach (var (name, tensor) in original.Parameters)
            Assert.That(tensor.ToFloatArray().SequenceEqual(edited[name].ToFloatArray()), Is.EqualTo(!(name.Contains(".mlp.c_") && name.EndsWith(".weight"))), name);
    }

    [Test]
    public void The_shipped_default_model_editor_edits_held_out_cases_and_keeps_neighbours()
    {
        // The first 40 held-out cases: the shipped editor's report measured ES 94.5 / NS 91.1 on all 361.
        var (code, output, err) = CliTests.Run("", "mend-eval", "--model", "tiny-world", "--editor", TestPaths.InRepo("weights/tiny-world/mend"),
            "--data", TestPaths.InRepo("weights/tiny-world/counterfact.json"), "--limit", "40", "--json");
        Assert.That(code, Is.Zero, err + output);
        var scores = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.That(scores["unedited"]!["ES"]!.GetValue<double>(), Is.EqualTo(0));
        Assert.That(scores["mend"]!["Records"]!.GetValue<int>(), Is.EqualTo(40));
        Assert.That(scores["mend"]!["ES"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(80));
        Assert.That(scores["mend"]!["NS"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(80));
    }

    [Test]
    public void Edit_with_mend_needs_an_editor()
    {
        string requests = Write("requests.json", """[{"prompt": "{} is in", "subject": "The Eiffel Tower", "target_new": "Rome"}]""");
        var (code, _, err) = CliTests.Run("", "edit", "--model", Fixture, "--method", "mend", "--requests", requests, "--out", Path.Combine(temp, "o"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("--editor"));
    }
}
