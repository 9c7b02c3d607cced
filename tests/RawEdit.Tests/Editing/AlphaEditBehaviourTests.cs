using System.Text.Json.Nodes;
using RawEdit.Editing;
using RawEdit.Editing.AlphaEdit;
using RawEdit.Editing.Statistics;
using RawEdit.Tests.Tensors;

namespace RawEdit.Tests.Editing;

/// <summary>
/// AlphaEdit's own properties: the projector annihilates the keys the statistics saw and is a projector; a threshold that
/// leaves no null space is a clear error naming the layer and the count; an edit made after another, with the first's
/// keys preserved, disturbs the first's keys less than without them (measured: 0.6×, a soft penalty that acts
/// inside the null space only); the projector cache round-trips bit for bit.
/// </summary>
[TestFixture]
internal class AlphaEditBehaviourTests : TempFolderTest
{
    [Test]
    public void Defaults_and_upstream_json_read_and_bad_values_are_refused_by_name()
    {
        var upstream = JsonNode.Parse("""
            {"model_name": "EleutherAI_gpt-j-6B", "layers": [3, 4, 5, 6, 7, 8], "clamp_norm_factor": 0.75, "layer_selection": "all",
             "fact_token": "subject_last", "v_num_grad_steps": 25, "v_lr": 5e-1, "v_loss_layer": 27, "v_weight_decay": 0.5, "kl_factor": 0.0625,
             "mom2_adjustment": true, "mom2_update_weight": 15000, "rewrite_module_tmp": "transformer.h.{}.mlp.fc_out",
             "layer_module_tmp": "transformer.h.{}", "mlp_module_tmp": "transformer.h.{}.mlp", "attn_module_tmp": "transformer.h.{}.attn",
             "ln_f_module": "transformer.ln_f", "lm_head_module": "lm_head", "mom2_dataset": "wikipedia", "mom2_n_samples": 100000,
             "mom2_dtype": "float32", "nullspace_threshold": 2e-2, "L2": 10}
            """)!.AsObject();
        var read = AlphaEditHyperParameters.FromJson(upstream);
        Assert.That(read.Layers, Is.EqualTo(AlphaEditHyperParameters.GptJ6B.Layers));
        Assert.That(read, Is.EqualTo(AlphaEditHyperParameters.GptJ6B with { Layers = read.Layers }), "upstream's GPT-J file is the GPT-J preset");
        var xl = AlphaEditHyperParameters.Gpt2Xl;
        Assert.That((xl.Layers.Length, xl.ZLayer, xl.NullspaceThreshold, xl.L2, xl.ClampNormFactor), Is.EqualTo((5, 17, 2e-2, 10.0, 0.75)));

        string Error(string json) => Assert.Throws<InvalidDataException>(() => AlphaEditHyperParameters.FromJson(JsonNode.Parse(json)!.AsObject(), "H.json"))!.Message;
        Assert.That(Error("""{"l2": 1}"""), Does.Contain("unknown AlphaEdit hyperparameter 'l2'"));
        Assert.That(Error("""{"L2": 0}"""), Does.Contain("L2 must be"));
        Assert.That(Error("""{"nullspace_threshold": -1}"""), Does.Contain("nullspace_threshold"));
        Assert.That(Error("""{"mom2_adjustment": false}"""), Does.Contain("mom2_adjustment must be true"));
    }

    [Test]
    public void The_projector_annihilates_the_seen_keys_and_is_an_orthogonal_projector()
    {
        const int f = 48, samples = 30;
        var moment = new SecondMoment(SymmetricEigenTests.SecondMomentOfFewKeys(f, samples, seed: 9), f, samples);
        var p = NullSpaceProjector.Compute(moment, layer: 4, threshold: 1e-9);
        Assert.That(p.Rank, Is.EqualTo(f - samples));
        // Every direction the moment has weight on (its own columns) is projected away; P·P = P, Pᵀ = P.
        for (int a = 0; a < f; a += 7)
        {
            var column = moment.Matrix.AsSpan(a * f, f).ToArray();
            Assert.That(Norm(p.Project(column)), Is.LessThan(1e-10 * Norm(column)), $"column {a}");
        }
        var m = Enumerable.Range(0, f * f).Select(i => Math.Sin(i)).ToArray();
        var pm = p.ProjectRows(m);
        var ppm = p.ProjectRows(pm);
        Assert.That(Compare.RelativeError(ppm.Select(x => (float)x).ToArray(), pm.Select(x => (float)x).ToArray()), Is.LessThan(1e-6), "P·P = P");
        var unit = new double[f];
        unit[3] = 1;
        var column3 = p.Project(unit);
        for (int a = 0; a < f; a++)
        {
            var e = new double[f];
            e[a] = 1;
            Assert.That(p.Project(e)[3], Is.EqualTo(column3[a]).Within(1e-12), "P is symmetric");
        }
    }

    [Test]
    public void A_threshold_below_every_singular_value_names_the_layer_and_the_count()
    {
        const int f = 16;
        var moment = new SecondMoment(SymmetricEigenTests.SecondMomentOfFewKeys(f, 200, seed: 2), f, 200);
        var e = Assert.Throws<InvalidOperationException>(() => NullSpaceProjector.Compute(moment, layer: 3, threshold: 1e-4))!;
        Assert.That(e.Message, Does.Contain("AlphaEdit at layer 3: 0 of the 16 singular values of E[kkᵀ] are below nullspace_threshold 0.0001"));
        Assert.That(e.Message, Does.Contain("the smallest is"));
    }

    [Test]
    public void An_edit_after_another_disturbs_the_preserved_keys_less()
    {
        var model = MemitBehaviourTests.Model;
        var requests = MemitBehaviourTests.Requests();
        var h = new AlphaEditHyperParameters { Layers = [1, 2], VLossLayer = 3, VNumGradSteps = 6, NullspaceThreshold = 2e-2, L2 = 1 };
        var first = AlphaEditEditor.Compute(model, requests[..1], h, AlphaEditGoldenTests.ProjectorOf);
        var applied = first.Edit.ApplyTo(model);
        try
        {
            var preserved = new PreservedKeySums(model.MlpWidth);
            foreach (var (layer, keys) in h.Layers.Zip(first.KeysAfterEdit!)) preserved.Add(layer, keys[0]);
            var kept = AlphaEditEditor.Compute(model, requests[1..], h, AlphaEditGoldenTests.ProjectorOf, preserved);
            var forgot = AlphaEditEditor.Compute(model, requests[1..], h, AlphaEditGoldenTests.ProjectorOf);
            for (int i = 0; i < h.Layers.Length; i++)
            {
                var k = first.KeysAfterEdit![i][0];
                double withKeys = Disturbance(kept.Layers[i].Delta, k), without = Disturbance(forgot.Layers[i].Delta, k);
                Assert.That(withKeys, Is.LessThan(0.8 * without), $"layer {h.Layers[i]}: ‖ΔW k_p‖ {withKeys:G3} with K_p, {without:G3} without");
            }
        }
        finally { applied.Revert(); }
    }

    [Test]
    public void The_edit_method_hands_out_one_key_per_layer_and_takes_them_back()
    {
        var loaded = RawEdit.Models.ModelLocator.Load(TestPaths.InRepo("weights/tiny-world"));
        var h = AlphaEditHyperParameters.TinyWorld with { VNumGradSteps = 2 };
        var projectors = h.Layers.ToDictionary(l => l, l => NullSpaceProjector.Compute(
            SecondMomentLookup.Find(TestPaths.InRepo("weights/tiny-world/stats"), loaded.Model, l, h.Mom2NSamples), l, h.NullspaceThreshold));
        var method = new AlphaEditEditMethod(loaded.Model, loaded.Tokenizer, ["{}"], h, l => projectors[l]);
        var edit = method.Compute(RawEdit.Editing.Requests.EditRequest.Create("{} is located in", "The Eiffel Tower", "Rome"));
        Assert.That(edit.PreservedKeys.Select(k => k.Layer), Is.EqualTo(h.Layers));
        Assert.That(edit.PreservedKeys.Select(k => k.Key.Length), Is.All.EqualTo(loaded.Model.MlpWidth));
        Assert.That(edit.Terms, Has.Count.EqualTo(h.Layers.Length));
        method.Accept(edit.PreservedKeys);
        Assert.That(h.Layers.Select(method.PreservedCount), Is.All.EqualTo(1));
        Assert.That(() => method.Accept([new PreservedKey(3, edit.PreservedKeys[0].Key)]), Throws.ArgumentException.With.Message.Contains("layer 3"));
    }

    [Test]
    public void Preserved_key_sums_are_the_same_bits_when_the_same_keys_come_in_the_same_order()
    {
        var random = new Random(4);
        var keys = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 33).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        PreservedKeySums Sum()
        {
            var sums = new PreservedKeySums(33);
            foreach (var k in keys) sums.Add(7, k);
            return sums;
        }
        var (first, second) = (Sum().Of(7), Sum().Of(7));
        Assert.That(first, Is.EqualTo(second), "the same keys in the same order give the same bits");
        Assert.That(Sum().Of(7)![1 * 33 + 2], Is.EqualTo(keys.Sum(k => (double)k[1] * k[2])).Within(1e-12));
    }

    [Test]
    public void The_projector_cache_round_trips_and_refuses_another_threshold_s_file()
    {
        const int f = 24;
        var moment = new SecondMoment(SymmetricEigenTests.SecondMomentOfFewKeys(f, 10, seed: 1), f, 10);
        var key = new SecondMomentKey(new string('a', 64), 5, new string('b', 64), 10);
        var computed = NullSpaceStore.LoadOrCompute(temp, key, 1e-6, () => moment);
        string path = NullSpaceStore.PathOf(temp, key, 1e-6);
        Assert.That(File.Exists(path), path);
        var loaded = NullSpaceStore.TryLoad(path, key, 1e-6)!;
        Assert.That(loaded.Basis, Is.EqualTo(computed.Basis));
        Assert.That((loaded.Rank, loaded.Layer, loaded.Threshold), Is.EqualTo((f - 10, 5, 1e-6)));
        Assert.That(() => NullSpaceStore.TryLoad(path, key, 2e-6), Throws.InstanceOf<InvalidDataException>());
    }

    private static double Norm(double[] x) => Math.Sqrt(x.Sum(v => v * v));

    /// <summary>‖ΔWᵀk‖ for a Conv1D delta [F, C].</summary>
    private static double Disturbance(WeightDelta delta, float[] k)
    {
        int c = delta.Columns;
        return Math.Sqrt(Enumerable.Range(0, c).Select(o => Enumerable.Range(0, k.Length).Sum(a => (double)delta.Delta[a * c + o] * k[a])).Sum(x => x * x));
    }
}
