using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Models;

[TestFixture]
internal class Gpt2CheckpointTests
{
    private string temp = "";

    [SetUp]
    public void CreateTemp() => temp = Directory.CreateTempSubdirectory("rawedit-ckpt-").FullName;

    [TearDown]
    public void DeleteTemp() => Directory.Delete(temp, recursive: true);

    private static readonly Gpt2Config Small = new() { VocabSize = 97, Positions = 16, Embedding = 24, Layers = 2, Heads = 3, BosTokenId = 96, EosTokenId = 96 };

    private static float[] Logits(Gpt2Model model)
    {
        using var _ = Tape.NoGrad();
        return model.Forward(TokenBatch.Single([1, 5, 7, 96, 0])).ToFloatArray();
    }

    [TestCase(KeyLayout.TransformerPrefix)]
    [TestCase(KeyLayout.Bare)]
    public void Saved_model_loads_back_bit_identical_in_either_key_layout(KeyLayout layout)
    {
        var model = Gpt2Initializer.Random(Small, seed: 3);
        Gpt2Checkpoint.Save(model, temp, layout);
        var loaded = Gpt2Checkpoint.Load(temp);
        Assert.That(loaded.Layout, Is.EqualTo(layout));
        Assert.That(Logits(loaded.Model), Is.EqualTo(Logits(model)));
        using var file = SafetensorsFile.Open(Path.Combine(temp, "model.safetensors"));
        Assert.That(file.Contains("transformer.h.1.mlp.c_proj.weight"), Is.EqualTo(layout == KeyLayout.TransformerPrefix));
        Assert.That(file.Contains("h.1.mlp.c_proj.weight"), Is.EqualTo(layout == KeyLayout.Bare));
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"), "transformers refuses safetensors without format=pt");
    }

    [Test]
    public void Half_precision_checkpoints_stay_half_precision_when_saved_back()
    {
        var model = Gpt2Initializer.Random(Small, seed: 4);
        var halves = Gpt2Model.ExpectedShapes(Small).ToDictionary(p => p.Name, _ => TensorDType.F16);
        Gpt2Checkpoint.Save(model, temp, KeyLayout.TransformerPrefix, halves);
        var loaded = Gpt2Checkpoint.Load(temp);
        Assert.That(loaded.StoredTypes.Values, Is.All.EqualTo(TensorDType.F16));
        var expected = Logits(model);
        var actual = Logits(loaded.Model);
        Assert.That(Compare.MaxAbsDiff(actual, expected), Is.LessThan(1e-2).And.GreaterThan(0), "f16 rounding changes logits a little");
    }

    [Test]
    public void Same_seed_gives_the_same_random_model_and_another_seed_does_not()
    {
        var seed9 = Logits(Gpt2Initializer.Random(Small, 9));
        Assert.That(Logits(Gpt2Initializer.Random(Small, 9)), Is.EqualTo(seed9));
        Assert.That(Logits(Gpt2Initializer.Random(Small, 9)), Is.Not.EqualTo(Logits(Gpt2Initializer.Random(Small, 10))));
    }

    [Test]
    public void A_missing_parameter_is_named_in_the_error()
    {
        var model = Gpt2Initializer.Random(Small, seed: 5);
        var sources = Gpt2Model.ExpectedShapes(Small).Where(p => p.Name != "transformer.h.1.ln_2.bias")
            .Select(p => TensorWriteSource.FromFloat32(p.Name, TensorDType.F32, p.Shape.Select(d => (long)d).ToArray(), model[p.Name].ToFloatArray()));
        SafetensorsWriter.Write(Path.Combine(temp, "model.safetensors"), sources);
        File.WriteAllText(Path.Combine(temp, "config.json"), Small.ToJson().ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(temp));
        Assert.That(e!.Message, Does.Contain("transformer.h.1.ln_2.bias"));
    }

    [Test]
    public void A_config_that_disagrees_with_the_weights_is_refused_naming_the_tensor()
    {
        Gpt2Checkpoint.Save(Gpt2Initializer.Random(Small, seed: 6), temp);
        File.WriteAllText(Path.Combine(temp, "config.json"), (Small with { Embedding = 30 }).ToJson().ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(temp));
        Assert.That(e!.Message, Does.Contain("shape"));
    }

    [TestCase("{\"model_type\": \"gpt2\", \"n_embd\": 10, \"n_head\": 3}", "not divisible")]
    [TestCase("{\"model_type\": \"llama\"}", "model_type")]
    [TestCase("{\"n_layer\": \"twelve\"}", "n_layer")]
    [TestCase("not json", "not valid JSON")]
    [TestCase("{\"activation_function\": \"relu\"}", "activation_function")]
    public void Bad_configs_get_a_clear_error(string json, string fragment)
    {
        File.WriteAllText(Path.Combine(temp, "config.json"), json);
        var e = Assert.Throws<InvalidDataException>(() => Gpt2Config.Load(Path.Combine(temp, "config.json")));
        Assert.That(e!.Message, Does.Contain(fragment));
    }

    [Test]
    public void A_token_outside_the_vocabulary_is_refused()
    {
        var model = Gpt2Initializer.Random(Small, seed: 7);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(TokenBatch.Single([3, 97])));
        Assert.That(e!.Message, Does.Contain("97"));
    }

    [Test]
    public void Saving_over_an_existing_model_never_leaves_temporary_files()
    {
        Gpt2Checkpoint.Save(Gpt2Initializer.Random(Small, seed: 8), temp);
        Gpt2Checkpoint.Save(Gpt2Initializer.Random(Small, seed: 9), temp);
        Assert.That(Directory.GetFiles(temp).Select(Path.GetFileName), Is.EquivalentTo(new[] { "config.json", "model.safetensors" }));
    }
}
