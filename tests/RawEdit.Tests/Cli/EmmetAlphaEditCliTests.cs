using System.Text.Json.Nodes;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.GptJ;
using RawEdit.Tensors;

namespace RawEdit.Tests.Cli;

/// <summary>
/// <c>rawedit edit --method emmet|alphaedit</c> end to end: on the default model with its presets and shipped statistics,
/// and on a random GPT-2 and GPT-J checkpoint with statistics made by <c>rawedit stats</c>; a threshold that empties the
/// null space is refused naming the layer and the count.
/// </summary>
[TestFixture]
internal class EmmetAlphaEditCliTests : TempFolderTest
{
    [TestCase("emmet")]
    [TestCase("alphaedit")]
    public void A_batch_on_the_default_model_changes_only_the_edited_layers_and_reports_them(string method)
    {
        var cases = JsonNode.Parse(File.ReadAllText(TestPaths.InRepo("weights/tiny-world/counterfact.json")))!.AsArray();
        string requests = Write("requests.json", new JsonArray(cases[0]!.DeepClone(), cases[1]!.DeepClone()).ToJsonString());
        string hparams = Write("h.json", """{"layers": [0, 1], "v_loss_layer": 3, "v_num_grad_steps": 20, "clamp_norm_factor": 4, "mom2_n_samples": 20000""" +
            (method == "alphaedit" ? """, "nullspace_threshold": 0.5}""" : """, "mom2_update_weight": 2000}"""));
        string outDir = Path.Combine(temp, "edited"), report = Path.Combine(temp, "report.json");
        var (code, output, err) = CliTests.Run("", "edit", "--model", "tiny-world", "--method", method, "--requests", requests, "--hparams", hparams,
            "--out", outDir, "--report", report);
        Assert.That(code, Is.Zero, err + output);
        Assert.That(output, Does.Contain(method == "emmet" ? "EMMET: 2 requests in one batch" : "AlphaEdit: 2 requests in one batch"));

        var json = JsonNode.Parse(File.ReadAllText(report))!;
        Assert.That(json["layers"]!.AsArray().Select(l => (double)l!["delta_magnitude"]!), Has.All.GreaterThan(0));
        if (method == "alphaedit")
        {
            Assert.That((int)json["method_figures"]!["nullspace_rank"]!["0"]!, Is.EqualTo(404), "404 of 512 singular values below 0.5 (the shipped statistics)");
            Assert.That(output, Does.Contain("layer 1: null space of E[kkᵀ] below 0.5: 478 of 512 dimensions"));
        }
        else Assert.That(json["method_figures"]!["pseudo_inverse_layers"]!.AsArray(), Is.Empty);
        AssertOnlyChanged(ModelLocator.Load("tiny-world").Model, ModelCheckpoint.Load(outDir).Model, ["transformer.h.0.mlp.c_proj.weight", "transformer.h.1.mlp.c_proj.weight"]);
    }

    [Test]
    public void A_threshold_that_leaves_no_null_space_is_refused_naming_the_layer_and_the_count()
    {
        string requests = Write("r.json", """{"prompt": "{} is in", "subject": "Paris", "target_new": "Rome"}""");
        string hparams = Write("h.json", """{"layers": [0, 1], "v_loss_layer": 3, "mom2_n_samples": 20000, "nullspace_threshold": 0.02}""");
        var (code, _, err) = CliTests.Run("", "edit", "--model", "tiny-world", "--method", "alphaedit", "--requests", requests, "--hparams", hparams,
            "--out", Path.Combine(temp, "x"));
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain("AlphaEdit at layer 0: 0 of the 512 singular values of E[kkᵀ] are below nullspace_threshold 0.02"));
        Assert.That(Directory.Exists(Path.Combine(temp, "x")), Is.False, "nothing is written when the input is bad");
    }

    // A random GPT-2 (the 1-layer Hugging Face fixture, c_proj) and a random GPT-J (fc_out), statistics of a few sentences:
    // fewer tokens than key dimensions, so E[kkᵀ] has a null space at upstream's threshold (and EMMET needs update_norm_lambda
    // to make C' invertible). The sentences avoid the requests' subjects: a key the statistics saw lies outside the null
    // space, and AlphaEdit rightly leaves it (almost) alone.
    [TestCase("gpt2", "emmet")]
    [TestCase("gpt2", "alphaedit")]
    [TestCase("gptj", "emmet")]
    [TestCase("gptj", "alphaedit")]
    public void Both_methods_edit_a_random_checkpoint_with_statistics_from_rawedit_stats(string architecture, string method)
    {
        string modelDir = architecture == "gpt2" ? Fixture : RandomGptJ();
        string module = architecture == "gpt2" ? "c_proj" : "fc_out";
        string corpus = Write("corpus.txt", "Rome is the capital of Italy.\nA cat sat on the mat.\nWater boils at one hundred degrees.\n");
        string stats = Path.Combine(temp, "stats");
        var computed = CliTests.Run("", "stats", "--model", modelDir, "--layer", "0", "--corpus", corpus, "--samples", "3", "--out", stats);
        Assert.That(computed.Code, Is.Zero, computed.Err + computed.Out);

        string requests = Write("requests.json", """
            [{"prompt": "{} is located in", "subject": "The Eiffel Tower", "target_new": "Rome"},
             {"prompt": "{} speaks", "subject": "Danielle Darrieux", "target_new": "English"}]
            """);
        string hparams = Write("h.json", $$"""
            {"layers": [0], "v_num_grad_steps": 4, "v_loss_layer": {{(architecture == "gpt2" ? 0 : 1)}}, "clamp_norm_factor": 4,
             "mom2_n_samples": 3, "mom2_update_weight": 10, "rewrite_module_tmp": "transformer.h.{}.mlp.{{module}}"
             {{(method == "alphaedit" ? ", \"nullspace_threshold\": 0.02, \"L2\": 10" : ", \"emmet_lambda\": 0.1, \"update_norm_lambda\": 0.01")}}}
            """);
        string outDir = Path.Combine(temp, "edited");
        var (code, output, err) = CliTests.Run("", "edit", "--model", modelDir, "--method", method, "--requests", requests, "--hparams", hparams,
            "--stats", stats, "--out", outDir);
        Assert.That(code, Is.Zero, err + output);
        AssertOnlyChanged(ModelCheckpoint.Load(modelDir).Model, ModelCheckpoint.Load(outDir).Model, [$"transformer.h.0.mlp.{module}.weight"]);
        if (method == "alphaedit")
            Assert.That(Directory.GetFiles(stats, "nullspace-layer0-*", SearchOption.AllDirectories), Has.Length.EqualTo(1), "the projector is cached beside the statistics");
    }

    private string RandomGptJ()
    {
        var config = new GptJConfig { VocabSize = 50400, Positions = 64, Embedding = 16, Layers = 2, Heads = 2, RotaryDim = 4 };
        int seed = 0;
        var parameters = GptJModel.ExpectedShapes(config).ToDictionary(p => p.Name, p => p.Name.Contains(".ln_") && p.Name.EndsWith(".weight")
            ? Tensor.Full(1.0, DType.F32, p.Shape) : Tensor.RandomNormal(++seed, 0.2, DType.F32, p.Shape));
        string dir = Path.Combine(temp, "gptj");
        GptJCheckpoint.Save(new GptJModel(config, parameters), dir, parameters.Keys.ToDictionary(k => k, _ => TensorDType.F32));
        return dir;
    }

    private static void AssertOnlyChanged(ICausalLanguageModel original, ICausalLanguageModel edited, IReadOnlyCollection<string> changed)
    {
        foreach (var (name, tensor) in original.Parameters)
            Assert.That(tensor.ToFloatArray().SequenceEqual(edited.Parameters[name].ToFloatArray()), Is.EqualTo(!changed.Contains(name)), name);
    }
}
