using RawEdit.Editing;
using RawEdit.Editing.Rome;
using RawEdit.Models;

namespace RawEdit.Tests.Editing;

/// <summary>
/// --hparams over the model's own defaults: a partial file on a shipped model changes only the keys it names, on another
/// model it goes over upstream's GPT-2 XL values, and with no file such a model has no defaults.
/// </summary>
internal sealed class HparamsDefaultsTests : TempFolderTest
{
    [Test]
    public void A_partial_file_on_a_shipped_model_changes_only_its_keys_of_the_preset()
    {
        var loaded = ModelLocator.Load("tiny-world");
        string file = Write("partial.json", """{"residual_value": "prompt", "v_num_grad_steps": 7}""");
        var rome = EditSetup.RomeHparams(loaded, file);
        Assert.That(Json(rome), Is.EqualTo(Json(RomeHyperParameters.TinyWorld with { VNumGradSteps = 7, ResidualValue = RomeResidualValue.Prompt })));

        var memit = EditSetup.MemitHparams(loaded, Write("memit.json", """{"mom2_update_weight": 5}"""));
        Assert.That(memit.Layers, Is.EqualTo(ShippedModels.TinyWorld.Memit.Layers));
        Assert.That(memit.VNumGradSteps, Is.EqualTo(ShippedModels.TinyWorld.Memit.VNumGradSteps));
        Assert.That(memit.Mom2UpdateWeight, Is.EqualTo(5));
        Assert.That(EditSetup.AlphaEditHparams(loaded, Write("alpha.json", """{"L2": 3}""")).NullspaceThreshold,
            Is.EqualTo(ShippedModels.TinyWorld.AlphaEdit.NullspaceThreshold));
    }

    [Test]
    public void On_a_model_without_defaults_a_file_goes_over_upstream_values_and_none_is_an_error()
    {
        var loaded = ModelLocator.Load(Fixture);
        var rome = EditSetup.RomeHparams(loaded, Write("partial.json", """{"layers": [1], "v_loss_layer": 1}"""));
        Assert.That(Json(rome), Is.EqualTo(Json(RomeHyperParameters.Gpt2Xl with { Layers = [1], VLossLayer = 1 })));
        Assert.That(() => EditSetup.RomeHparams(loaded, null), Throws.ArgumentException.With.Message.Contains("pass --hparams"));
    }

    // Records holding arrays compare by reference; their JSON compares every value.
    private static string Json(RomeHyperParameters h) => System.Text.Json.JsonSerializer.Serialize(h);
}
