using RawEdit.Editing;
using System.Text.Json.Nodes;
using RawEdit.Editing.Emmet;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Statistics;

namespace RawEdit.Tests.Editing;

/// <summary>
/// EMMET's own properties on the random GPT-2 (identity C, a short z optimisation): one request meets ROME's equality
/// ΔW k = r at every layer whatever C's scale; a batch is MEMIT with λ = emmet_lambda·w (the push-through identity);
/// duplicate requests with emmet_lambda 0 make D singular, and the pseudo-inverse is used and reported.
/// </summary>
[TestFixture]
internal class EmmetBehaviourTests
{
    private static readonly EmmetHyperParameters Hparams = new()
    {
        Layers = [1, 2], VLossLayer = 3, VNumGradSteps = 6, Mom2Adjustment = false, Mom2UpdateWeight = 2, EmmetLambda = 0.1,
    };

    private static SecondMoment Identity(int layer) => SecondMoment.Identity(MemitBehaviourTests.Model.MlpWidth);

    [Test]
    public void Defaults_and_upstream_json_read_and_bad_values_are_refused_by_name()
    {
        var upstream = JsonNode.Parse("""
            {"layers": [5], "clamp_norm_factor": 0.75, "layer_selection": "all", "fact_token": "subject_last", "v_num_grad_steps": 25,
             "v_lr": 5e-1, "v_loss_layer": 27, "v_weight_decay": 0.5, "kl_factor": 0.0625, "mom2_adjustment": true, "mom2_update_weight": 10000,
             "rewrite_module_tmp": "transformer.h.{}.mlp.fc_out", "layer_module_tmp": "transformer.h.{}", "mlp_module_tmp": "transformer.h.{}.mlp",
             "attn_module_tmp": "transformer.h.{}.attn", "ln_f_module": "transformer.ln_f", "lm_head_module": "lm_head",
             "mom2_dataset": "wikipedia", "mom2_n_samples": 100000, "mom2_dtype": "float32", "calculate_objective_value": false,
             "update_norm_lambda": 0, "emmet_lambda": 0.1, "prob_cutoff": 0, "norm_control": 0}
            """)!.AsObject();
        var read = EmmetHyperParameters.FromJson(upstream);
        Assert.That(read.Layers, Is.EqualTo(EmmetHyperParameters.GptJ6B.Layers));
        Assert.That(read, Is.EqualTo(EmmetHyperParameters.GptJ6B with { Layers = read.Layers }), "upstream's GPT-J file is the GPT-J preset");
        var xl = EmmetHyperParameters.Gpt2Xl;
        Assert.That((xl.Layers.Single(), xl.ClampNormFactor, xl.Mom2UpdateWeight, xl.EmmetLambda, xl.UpdateNormLambda, xl.VNumGradSteps),
            Is.EqualTo((17, 0.75, 1000.0, 0.1, 0.0, 20)));

        string Error(string json) => Assert.Throws<InvalidDataException>(() => EmmetHyperParameters.FromJson(JsonNode.Parse(json)!.AsObject(), "H.json"))!.Message;
        Assert.That(Error("""{"emmet_lambd": 1}"""), Does.Contain("unknown EMMET hyperparameter 'emmet_lambd'"));
        Assert.That(Error("""{"emmet_lambda": -1}"""), Does.Contain("emmet_lambda"));
        Assert.That(Error("""{"mom2_update_weight": 0}"""), Does.Contain("invertible"));
        Assert.That(Error("""{"layers": [3, 1]}"""), Does.Contain("EMMET layers must be increasing"));
        Assert.That(Assert.Throws<InvalidDataException>(() => MemitHyperParameters.FromJson(JsonNode.Parse("""{"emmet_lambda": 1}""")!.AsObject()))!.Message,
            Does.Contain("unknown MEMIT hyperparameter 'emmet_lambda'"));
    }

    [Test]
    public void One_request_meets_romes_equality_at_every_layer_whatever_the_scale_of_c()
    {
        var request = MemitBehaviourTests.Requests()[..1];
        var result = EmmetEditor.Compute(MemitBehaviourTests.Model, request, Hparams, Identity).Batch;
        foreach (var layer in result.Layers)
        {
            var k = layer.Keys[0];
            double adjustedDotKey = layer.AdjustedKeys[0].Select((u, a) => u * k[a]).Sum();
            Assert.That(adjustedDotKey, Is.EqualTo(1).Within(1e-12), $"layer {layer.Layer}: u·k");
            // ΔW k = r_i in float32 (Conv1D [F, C]: (ΔWᵀk)[o] = Σ_a ΔW[a, o] k[a]).
            int c = layer.SpreadResiduals[0].Length;
            var mapped = Enumerable.Range(0, c).Select(o => (float)Enumerable.Range(0, k.Length).Sum(a => (double)layer.Delta.Delta[a * c + o] * k[a])).ToArray();
            Assert.That(Compare.RelativeError(mapped, layer.SpreadResiduals[0].Select(x => (float)x).ToArray()), Is.LessThan(1e-5), $"layer {layer.Layer}: ΔW k = r");
        }
        var scaled = EmmetEditor.Compute(MemitBehaviourTests.Model, request, Hparams with { Mom2UpdateWeight = 1000 }, Identity).Batch;
        foreach (var (a, b) in result.Layers.Zip(scaled.Layers))
            Assert.That(Compare.RelativeError(b.Delta.Delta, a.Delta.Delta), Is.LessThan(1e-6), "w cancels for one key");
    }

    [Test]
    public void A_batch_is_memit_with_lambda_times_w()
    {
        var requests = MemitBehaviourTests.Requests();
        var emmet = EmmetEditor.Compute(MemitBehaviourTests.Model, requests, Hparams, Identity).Batch;
        var memit = MemitEditor.Compute(MemitBehaviourTests.Model, requests, new MemitHyperParameters
        {
            Layers = Hparams.Layers, VLossLayer = Hparams.VLossLayer, VNumGradSteps = Hparams.VNumGradSteps, Mom2Adjustment = false,
            Mom2UpdateWeight = Hparams.EmmetLambda * Hparams.Mom2UpdateWeight,
        }, Identity);
        foreach (var (e, m) in emmet.Layers.Zip(memit.Layers))
            Assert.That(Compare.RelativeError(e.Delta.Delta, m.Delta.Delta), Is.LessThan(1e-6), $"layer {e.Layer}");
        // and not MEMIT with w itself
        var other = MemitEditor.Compute(MemitBehaviourTests.Model, requests, new MemitHyperParameters
        {
            Layers = Hparams.Layers, VLossLayer = Hparams.VLossLayer, VNumGradSteps = Hparams.VNumGradSteps, Mom2Adjustment = false, Mom2UpdateWeight = 2,
        }, Identity);
        Assert.That(Compare.RelativeError(other.Layers[0].Delta.Delta, emmet.Layers[0].Delta.Delta), Is.GreaterThan(1e-2));
    }

    [Test]
    public void Duplicate_requests_without_emmet_lambda_fall_back_to_the_pseudo_inverse_and_say_so()
    {
        var request = MemitBehaviourTests.Requests()[0];
        var messages = new List<string>();
        var progress = new SynchronousRecorder(messages);
        var result = EmmetEditor.Compute(MemitBehaviourTests.Model, [request, request], Hparams with { EmmetLambda = 0 }, Identity, progress);
        Assert.That(result.PseudoInverseLayers, Is.EqualTo(Hparams.Layers));
        Assert.That(messages, Has.Some.Contains("EMMET at layer 1: D = KᵀC'⁻¹K is singular").And.Some.Contains("pseudo-inverse"));
        foreach (var layer in result.Batch.Layers)
        {
            Assert.That(layer.Delta.Delta, Has.All.Matches<float>(float.IsFinite));
            var k = layer.Keys[0];
            double mapped = layer.AdjustedKeys.Sum(adjusted => adjusted.Select((u, a) => u * k[a]).Sum());
            Assert.That(mapped, Is.EqualTo(1).Within(1e-9), $"layer {layer.Layer}: the duplicated key still maps to its residual");
        }
        var regularised = EmmetEditor.Compute(MemitBehaviourTests.Model, [request, request], Hparams, Identity);
        Assert.That(regularised.PseudoInverseLayers, Is.Empty, "emmet_lambda 0.1 keeps D invertible");
    }

    private sealed class SynchronousRecorder(List<string> messages) : IProgress<EditProgress>
    {
        public void Report(EditProgress value) => messages.Add(value.Message);
    }
}
