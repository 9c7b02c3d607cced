using System.Text.Json.Nodes;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Cli;

/// <summary>
/// Saving an edit into a BF16 copy of tiny-world: BF16's 8-bit significand rounds part of every update away (about 0.8%
/// of a ROME edit there, a few % of a MEMIT edit, whose per-layer updates are smaller). The precision report must show
/// it, warn past 1% naming --save-dtype f32, the saved-model check must see a different model, and --save-dtype f32
/// must keep the update exactly.
/// </summary>
[TestFixture]
internal class SavePrecisionCliTests : TempFolderTest
{
    /// <summary>tiny-world with every tensor stored BF16.</summary>
    private string Bf16TinyWorld()
    {
        string dir = Path.Combine(temp, "bf16");
        var source = ModelCheckpoint.Load(TestPaths.InRepo("weights/tiny-world"), WeightPrecision.Float32);
        ModelCheckpoint.Save(source.Model, dir, source.Layout, SaveDType.BF16.StorageTypes(source.Model.Parameters.Keys, source.StoredTypes), null);
        return dir;
    }

    /// <summary>tiny-world's ROME or MEMIT settings without its statistics (they belong to the F16 weights).</summary>
    private string Hparams(string method) => Write(method + ".json", method == "rome"
        ? """{"layers": [0], "v_num_grad_steps": 40, "clamp_norm_factor": 10, "v_loss_layer": 3, "mom2_adjustment": false}"""
        : """{"layers": [0, 1], "v_num_grad_steps": 80, "clamp_norm_factor": 4, "v_loss_layer": 3, "mom2_update_weight": 200, "mom2_adjustment": false}""");

    private string Requests() => Write("requests.json", """
        [{"case_id": 3600, "prompt": "{} works in the city of", "subject": "Suran Draeneth", "target_new": "Cairo"}]
        """);

    private (JsonNode Report, string Output) Edit(string model, string method, string saveDType)
    {
        string outDir = Path.Combine(temp, $"{method}-{saveDType}"), report = Path.Combine(temp, $"{method}-{saveDType}.json");
        var (code, output, err) = CliTests.Run("", "edit", "--model", model, "--method", method, "--requests", Requests(),
            "--hparams", Hparams(method), "--out", outDir, "--report", report, "--save-dtype", saveDType);
        Assert.That(code, Is.Zero, err + output);
        TestContext.Out.WriteLine(output);
        return (JsonNode.Parse(File.ReadAllText(report))!, output);
    }

    private static JsonNode WorstTensor(JsonNode report) => report["save"]!["tensors"]!.AsArray().MaxBy(t => (double)t!["relative_error"]!)!;

    private static (double InMemory, double AsSaved) Probabilities(JsonNode report)
    {
        var check = report["saved_model_check"]!.AsArray().Single()!;
        return ((double)check["probability_in_memory"]!, (double)check["probability_as_saved"]!);
    }

    [Test]
    public void A_rome_edit_saved_in_bf16_loses_part_of_itself_and_save_dtype_f32_keeps_it()
    {
        string model = Bf16TinyWorld();

        var (same, _) = Edit(model, "rome", "same");
        var bf16 = WorstTensor(same);
        Assert.That((string)bf16["stored_dtype"]!, Is.EqualTo("BF16"));
        double lost = (double)bf16["relative_error"]!;
        Assert.That(lost, Is.GreaterThan(1e-3), "BF16 rounds a measurable part of the update away");
        var (inMemory, asSaved) = Probabilities(same);
        Assert.That(asSaved, Is.Not.EqualTo(inMemory), "the saved BF16 model is not the model in memory");

        var (f32, f32Output) = Edit(model, "rome", "f32");
        var kept = WorstTensor(f32);
        Assert.That((string)kept["stored_dtype"]!, Is.EqualTo("F32"));
        Assert.That((double)kept["relative_error"]!, Is.Zero);
        Assert.That((double)kept["stored_update_norm"]!, Is.EqualTo((double)kept["update_norm"]!));
        Assert.That(f32Output, Does.Not.Contain("warning"));
        var (f32InMemory, f32AsSaved) = Probabilities(f32);
        Assert.That(f32InMemory, Is.EqualTo(inMemory), "the edit itself does not depend on --save-dtype");
        Assert.That(f32AsSaved, Is.EqualTo(f32InMemory).Within(1e-6));
        Assert.That(ModelCheckpoint.Load(Path.Combine(temp, "rome-f32")).StoredTypes.Values, Is.All.EqualTo(TensorDType.F32));

        TestContext.Out.WriteLine($"ROME into BF16: relative error of the stored update {lost:E3}, cosine {(double)bf16["cosine"]!:F6}, " +
                                  $"‖ΔŜ‖/‖ΔW‖ {(double)bf16["stored_update_norm"]! / (double)bf16["update_norm"]!:F5}; " +
                                  $"P(target) in memory {inMemory:F6}, as saved BF16 {asSaved:F6}, as saved F32 {f32AsSaved:F6}");
    }

    [Test]
    public void A_save_that_loses_more_than_one_percent_of_an_update_says_so_and_names_the_option_that_keeps_it()
    {
        var (report, output) = Edit(Bf16TinyWorld(), "memit", "same");
        double lost = (double)WorstTensor(report)["relative_error"]!;
        Assert.That(lost, Is.GreaterThan(1e-2));
        Assert.That((bool)report["save"]!["loses_more_than_1_percent"]!, Is.True);
        Assert.That(output, Does.Contain("warning").And.Contain("--save-dtype f32"));
        TestContext.Out.WriteLine($"MEMIT into BF16: worst relative error of a stored update {lost:E3}");
    }

    [Test]
    public void An_unknown_save_dtype_is_refused_before_anything_is_written()
    {
        string requests = Write("requests.json", """[{"prompt": "{} speaks", "subject": "Danielle Darrieux", "target_new": "English"}]""");
        var (code, output, err) = CliTests.Run("", "edit", "--model", "tiny-world", "--method", "rome", "--requests", requests,
            "--out", Path.Combine(temp, "o"), "--save-dtype", "f8");
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(err, Does.Contain("same | f32 | f16 | bf16"));
        Assert.That(Directory.Exists(Path.Combine(temp, "o")), Is.False);
    }
}

