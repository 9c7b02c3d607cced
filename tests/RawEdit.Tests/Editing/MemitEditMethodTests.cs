using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Statistics;
using RawEdit.Models;

namespace RawEdit.Tests.Editing;

/// <summary>MEMIT with one request as rank-one terms against the dense batch path, on the default model with its shipped statistics.</summary>
[TestFixture]
internal class MemitEditMethodTests
{
    [Test]
    public void One_request_as_rank_one_terms_gives_the_dense_update_of_every_layer_to_float32_rounding()
    {
        var loaded = ModelLocator.Load(TestPaths.InRepo("weights/tiny-world"));
        var model = loaded.Model;
        var h = MemitHyperParameters.TinyWorld with { VNumGradSteps = 6 };
        string stats = TestPaths.InRepo("weights/tiny-world/stats");
        var moments = h.Layers.ToDictionary(l => l, l => SecondMomentLookup.Find(stats, model, l, h.Mom2NSamples));
        var templates = MemitEditor.Templates(model, loaded.Tokenizer);
        var request = EditRequest.Create("{} is located in", "The Eiffel Tower", "Rome");
        var method = new MemitEditMethod(model, loaded.Tokenizer, templates, h, l => moments[l]);

        var dense = MemitEditor.Compute(model, loaded.Tokenizer, [request], templates, h, l => moments[l]);
        var edit = method.FromResult(dense);
        Assert.That(edit.Terms.Select(t => t.WeightName), Is.EqualTo(dense.Edit.Deltas.Select(d => d.WeightName)));
        Assert.That(method.EditedWeights, Is.EqualTo(dense.Edit.Deltas.Select(d => d.WeightName)));
        foreach (var (term, delta) in edit.Terms.Zip(dense.Edit.Deltas))
        {
            Assert.That(delta.Frobenius, Is.GreaterThan(0));
            Assert.That(Compare.RelativeError(term.DeltaMatrix(), delta.Delta), Is.LessThan(1e-6), $"ΔW of {term.WeightName}");
        }
        Assert.That(edit.Figures["loss_last"], Is.LessThan(edit.Figures["loss_first"]));
        Assert.That(edit.Figures[$"delta_magnitude_layer_{h.Layers[0]}"], Is.EqualTo(dense.Edit.Deltas[0].NormalizedMagnitude).Within(1e-5).Percent);
        // ‖ΔW‖_F = ‖r‖·‖u‖: the residual and adjusted-key figures split the dense update's norm (computed from ΔW itself).
        foreach (var (layer, delta) in h.Layers.Zip(dense.Edit.Deltas))
        {
            double product = edit.Figures[$"residual_norm_layer_{layer}"] * edit.Figures[$"adjusted_key_norm_layer_{layer}"];
            Assert.That(product, Is.EqualTo(delta.Frobenius).Within(1e-4).Percent, $"layer {layer}");
            Assert.That(edit.Figures[$"key_norm_layer_{layer}"], Is.GreaterThan(0));
        }

        // Applied: the weights after the rank-one terms and after the dense edit agree to float32 rounding.
        var names = dense.Edit.Deltas.Select(d => d.WeightName).ToList();
        var denseApplied = dense.Edit.ApplyTo(model);
        var denseWeights = names.Select(n => model.Parameters[n].ToFloatArray()).ToList();
        denseApplied.Revert();
        var applied = edit.ApplyTo(model);
        for (int i = 0; i < names.Count; i++)
            Assert.That(Compare.RelativeError(model.Parameters[names[i]].ToFloatArray(), denseWeights[i]), Is.LessThan(1e-6), names[i]);
        applied.Revert();

        // Compute (the IEditMethod entry point) is the same computation: bit-identical terms.
        var again = method.Compute(request);
        Assert.That(again.Terms.Select(t => (t.U, t.R)), Is.EqualTo(edit.Terms.Select(t => (t.U, t.R))));
    }
}
