using System.Text.Json.Nodes;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.GptJ;
using RawEdit.Tensors;

namespace RawEdit.Tests.Cli;

[TestFixture]
internal class EditCliTests : TempFolderTest
{
    private string Hparams(string editedModule = "c_proj") => Write("hparams.json", """
        {"layers": [0], "fact_token": "subject_last", "v_num_grad_steps": 4, "v_lr": 0.5, "v_loss_layer": 0,
         "v_weight_decay": 0.005, "clamp_norm_factor": 4, "kl_factor": 0.0625, "mom2_adjustment": false,
         "context_template_length_params": [[5, 2]], "rewrite_module_tmp": "transformer.h.{}.mlp.MODULE"}
        """.Replace("MODULE", editedModule));

    [TestCase("rome")]
    [TestCase("r-rome")]
    [TestCase("p-rome")]
    public void Edit_changes_only_the_edited_matrix_keeps_the_input_and_reports_the_figures(string method)
    {
        string requests = Write("requests.json", """
            [{"case_id": 7, "requested_rewrite": {"prompt": "In Paris one can visit {}", "subject": "The Eiffel Tower",
              "target_new": {"str": "Rome"}, "target_true": {"str": "Paris"}}},
             {"case_id": 8, "prompt": "Danielle Darrieux speaks", "subject": "Danielle Darrieux", "target_new": "English", "ground_truth": "French"}]
            """);
        byte[] inputBefore = File.ReadAllBytes(Path.Combine(Fixture, "model.safetensors"));
        string outDir = Path.Combine(temp, "edited"), report = Path.Combine(temp, "report.json");
        var (code, output, err) = CliTests.Run("", "edit", "--model", Fixture, "--method", method, "--requests", requests,
            "--hparams", Hparams(), "--out", outDir, "--report", report);
        Assert.That(code, Is.Zero, err + output);

        Assert.That(File.ReadAllBytes(Path.Combine(Fixture, "model.safetensors")), Is.EqualTo(inputBefore), "the input model must not change");
        var original = Gpt2Checkpoint.Load(Fixture).Model;
        var edited = Gpt2Checkpoint.Load(outDir).Model;
        foreach (var (name, tensor) in original.Parameters)
        {
            bool same = tensor.ToFloatArray().SequenceEqual(edited[name].ToFloatArray());
            Assert.That(same, Is.EqualTo(name != "transformer.h.0.mlp.c_proj.weight"), name);
        }
        var json = JsonNode.Parse(File.ReadAllText(report))!;
        var edits = json["edits"]!.AsArray();
        Assert.That(edits, Has.Count.EqualTo(2));
        Assert.That((double)edits[0]!["delta_magnitude"]!, Is.GreaterThan(0));
        Assert.That((string)edits[1]!["prompt"]!, Is.EqualTo("{} speaks"));
        Assert.That(json["context_templates"]!.AsArray(), Has.Count.EqualTo(3));
    }

    // Each method on GPT-J; with "stored" the model's f16 matrices stay memory-mapped and only fc_out is promoted.
    [TestCase("rome", "fp32")]
    [TestCase("r-rome", "stored")]
    [TestCase("p-rome", "stored")]
    [TestCase("memit", "stored")]
    public void Edit_of_a_half_precision_gptj_saves_it_back_as_half_gptj_with_only_fc_out_changed(string method, string precision)
    {
        // GPT-J's own vocabulary (50400 ≥ the tokenizer's 50257), tiny otherwise: 2 layers of 16 channels, rotary 4 of 8.
        var config = new GptJConfig { VocabSize = 50400, Positions = 64, Embedding = 16, Layers = 2, Heads = 2, RotaryDim = 4 };
        int seed = 0;
        var parameters = GptJModel.ExpectedShapes(config).ToDictionary(p => p.Name, p => p.Name.Contains(".ln_") && p.Name.EndsWith(".weight")
            ? Tensor.Full(1.0, DType.F32, p.Shape) : Tensor.RandomNormal(++seed, 0.2, DType.F32, p.Shape));
        var halves = parameters.Keys.ToDictionary(k => k, _ => TensorDType.F16);
        string modelDir = Path.Combine(temp, "gptj"), outDir = Path.Combine(temp, "edited");
        GptJCheckpoint.Save(new GptJModel(config, parameters), modelDir, halves);
        string requests = Write("requests.json", """[{"prompt": "{} is located in", "subject": "The Eiffel Tower", "target_new": "Rome"}]""");

        string hparams = method != "memit" ? Hparams("fc_out") : Write("memit.json", """
            {"layers": [0], "v_num_grad_steps": 4, "v_lr": 0.5, "v_loss_layer": 1, "v_weight_decay": 0.005, "clamp_norm_factor": 4,
             "kl_factor": 0.0625, "mom2_adjustment": false, "mom2_update_weight": 1, "rewrite_module_tmp": "transformer.h.{}.mlp.fc_out"}
            """);
        var (code, output, err) = CliTests.RunWith(new Dictionary<string, string> { [WeightPrecisions.Variable] = precision }, "",
            "edit", "--model", modelDir, "--method", method, "--requests", requests, "--hparams", hparams, "--out", outDir);
        Assert.That(code, Is.Zero, err + output);

        var original = ModelCheckpoint.Load(modelDir);
        var edited = ModelCheckpoint.Load(outDir);
        Assert.That(edited.Model, Is.InstanceOf<GptJModel>());
        Assert.That(edited.StoredTypes.Values, Is.All.EqualTo(TensorDType.F16));
        foreach (var (name, tensor) in original.Model.Parameters)
        {
            bool same = tensor.ToFloatArray().SequenceEqual(edited.Model.Parameters[name].ToFloatArray());
            Assert.That(same, Is.EqualTo(name != "transformer.h.0.mlp.fc_out.weight"), name);
        }
    }

    [Test]
    public void Edit_refuses_to_overwrite_its_input_and_names_unknown_methods()
    {
        string requests = Write("r.json", """{"prompt": "{} is in", "subject": "Paris", "target_new": "Rome"}""");
        var same = CliTests.Run("", "edit", "--model", Fixture, "--method", "rome", "--requests", requests, "--hparams", Hparams(), "--out", Fixture);
        Assert.That(same.Code, Is.Not.Zero);
        Assert.That(same.Err, Does.Contain("never overwrite"));
        var unknown = CliTests.Run("", "edit", "--model", Fixture, "--method", "rosa", "--requests", requests, "--out", Path.Combine(temp, "x"));
        Assert.That(unknown.Err, Does.Contain("unknown method 'rosa'"));
    }

    [Test]
    public void A_request_whose_prompt_lacks_its_subject_is_refused_with_its_case()
    {
        string requests = Write("bad.json", """[{"case_id": 42, "prompt": "The tower is in", "subject": "Eiffel Tower", "target_new": "Rome"}]""");
        var (code, _, err) = CliTests.Run("", "edit", "--model", Fixture, "--method", "rome", "--requests", requests, "--hparams", Hparams(), "--out", Path.Combine(temp, "x"));
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain("case 42").And.Contain("does not contain its subject"));
        Assert.That(Directory.Exists(Path.Combine(temp, "x")), Is.False, "nothing is written when the input is bad");
    }
}
