using System.Text.Json.Nodes;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.GptJ;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Models;

/// <summary>GPT-J folders: config validation, loading by model_type, saving back in HF layout and precision.</summary>
[TestFixture]
internal class GptJCheckpointTests
{
    private string temp = "";

    [SetUp]
    public void CreateTemp() => temp = Directory.CreateTempSubdirectory("rawedit-gptj-").FullName;

    [TearDown]
    public void DeleteTemp() => Directory.Delete(temp, recursive: true);

    private static string Random => TestPaths.Goldens("gptj-random");

    private static float[] Logits(ICausalLanguageModel model)
    {
        using var _ = Tape.NoGrad();
        return model.Forward(TokenBatch.Single([1, 5, 7, 900, 0, 33])).ToFloatArray();
    }

    [Test]
    public void A_gptj_folder_loads_by_its_model_type_without_its_mask_buffers()
    {
        var loaded = ModelCheckpoint.Load(Random);
        Assert.That(loaded.Model, Is.InstanceOf<GptJModel>());
        var model = (GptJModel)loaded.Model;
        Assert.That(model.Config.RotaryDim, Is.EqualTo(16));
        Assert.That(model.Config.HeadDim, Is.EqualTo(32));
        Assert.That(model.Parameters.Keys, Has.None.EndsWith(".attn.bias"));
        Assert.That(model.Parameters.Keys, Does.Contain("lm_head.bias"));
        Assert.That(model.MlpDownProjection(2), Is.EqualTo(("transformer.h.2.mlp.fc_out.weight", true)));
        Assert.That(model.Parameters["transformer.h.2.mlp.fc_out.weight"].Shape, Is.EqualTo(new[] { 128, 512 }));
    }

    [Test]
    public void Saved_model_loads_back_bit_identical_under_hugging_face_keys()
    {
        var model = GptJCheckpoint.Load(Random).Model;
        GptJCheckpoint.Save(model, temp);
        var loaded = ModelCheckpoint.Load(temp);
        Assert.That(Logits(loaded.Model), Is.EqualTo(Logits(model)));
        using var file = SafetensorsFile.Open(Path.Combine(temp, "model.safetensors"));
        Assert.That(file.Entries.Keys, Is.EquivalentTo(GptJModel.ExpectedShapes(model.Config).Select(p => p.Name)));
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp, "config.json")))!;
        Assert.That((string)config["model_type"]!, Is.EqualTo("gptj"));
        Assert.That((int)config["rotary_dim"]!, Is.EqualTo(16));
    }

    [TestCase(TensorDType.F16)]
    [TestCase(TensorDType.BF16)]
    public void An_edited_half_precision_model_saves_back_in_its_precision(TensorDType half)
    {
        var model = GptJCheckpoint.Load(Random).Model;
        var halves = GptJModel.ExpectedShapes(model.Config).ToDictionary(p => p.Name, _ => half);
        string halfFolder = Path.Combine(temp, "half"), edited = Path.Combine(temp, "edited");
        GptJCheckpoint.Save(model, halfFolder, halves);

        var loaded = ModelCheckpoint.Load(halfFolder);
        Assert.That(loaded.StoredTypes.Values, Is.All.EqualTo(half));
        var weight = loaded.Model.Parameters["transformer.h.1.mlp.fc_out.weight"];
        var values = weight.ToFloatArray();
        values[0] = 0.5f;  // exact in F16 and BF16, so every stored value survives the save unchanged
        weight.CopyFrom(RawEdit.Tensors.Tensor.FromArray(values, weight.Shape));
        ModelCheckpoint.Save(loaded.Model, edited, loaded.Layout, loaded.StoredTypes, null);

        using var file = SafetensorsFile.Open(Path.Combine(edited, "model.safetensors"));
        Assert.That(file.Entries.Values.Select(e => e.DType), Is.All.EqualTo(half));
        var reloaded = ModelCheckpoint.Load(edited).Model;
        Assert.That(reloaded.Parameters["transformer.h.1.mlp.fc_out.weight"].ToFloatArray(), Is.EqualTo(values));
        Assert.That(Logits(reloaded), Is.EqualTo(Logits(loaded.Model)));
    }

    [Test]
    public void The_gpt_j_6b_config_reads_with_its_extra_keys()
    {
        // EleutherAI/gpt-j-6B's config.json (keys RawEdit does not use, like "rotary" and task_specific_params, are ignored).
        var config = GptJConfig.FromJson(JsonNode.Parse("""
            {"activation_function": "gelu_new", "architectures": ["GPTJForCausalLM"], "attn_pdrop": 0.0, "bos_token_id": 50256,
             "embd_pdrop": 0.0, "eos_token_id": 50256, "gradient_checkpointing": false, "initializer_range": 0.02,
             "layer_norm_epsilon": 1e-05, "model_type": "gptj", "n_embd": 4096, "n_head": 16, "n_inner": null, "n_layer": 28,
             "n_positions": 2048, "resid_pdrop": 0.0, "rotary": true, "rotary_dim": 64, "scale_attn_weights": true,
             "summary_activation": null, "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
             "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50, "temperature": 1.0}},
             "tie_word_embeddings": false, "tokenizer_class": "GPT2Tokenizer", "transformers_version": "4.18.0.dev0",
             "use_cache": true, "vocab_size": 50400}
            """)!.AsObject());
        Assert.That((config.HeadDim, config.RotaryDim, config.MlpWidth, config.Layers), Is.EqualTo((256, 64, 16384, 28)));
        Assert.That(GptJModel.ExpectedShapes(config).Single(p => p.Name == "transformer.h.5.mlp.fc_out.weight").Shape, Is.EqualTo(new[] { 4096, 16384 }));
    }

    [TestCase("\"rotary_dim\": 17", "rotary_dim 17 must be even")]
    [TestCase("\"rotary_dim\": 64", "rotary_dim 64 must be even and in (0, head_dim = 32]")]
    [TestCase("\"rotary_dim\": null", "rotary_dim null is not supported")]
    [TestCase("\"tie_word_embeddings\": true", "tie_word_embeddings = true is not supported")]
    [TestCase("\"model_type\": \"llama\"", "model_type 'llama' is not supported (gpt2, gptj)")]
    public void A_bad_config_is_refused_naming_the_field(string replacement, string message)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Random, "config.json")))!.AsObject();
        var patch = JsonNode.Parse("{" + replacement + "}")!.AsObject();
        foreach (var (key, value) in patch.ToList()) config[key] = value?.DeepClone();
        File.WriteAllText(Path.Combine(temp, "config.json"), config.ToJsonString());
        File.Copy(Path.Combine(Random, "model.safetensors"), Path.Combine(temp, "model.safetensors"));
        var e = Assert.Throws<InvalidDataException>(() => ModelLocator.Load(temp));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void A_checkpoint_missing_a_weight_is_refused_naming_it()
    {
        var model = GptJCheckpoint.Load(Random).Model;
        var sources = GptJModel.ExpectedShapes(model.Config).Where(p => p.Name != "lm_head.bias")
            .Select(p => TensorWriteSource.FromFloat32(p.Name, TensorDType.F32, p.Shape.Select(d => (long)d).ToArray(), model.Parameters[p.Name].ToFloatArray()));
        SafetensorsWriter.Write(Path.Combine(temp, "model.safetensors"), sources);
        File.Copy(Path.Combine(Random, "config.json"), Path.Combine(temp, "config.json"));
        var e = Assert.Throws<InvalidDataException>(() => ModelLocator.Load(temp));
        Assert.That(e!.Message, Does.Contain("GPT-J checkpoint is missing 'lm_head.bias'"));
    }
}
