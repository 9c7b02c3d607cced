using System.Text.Json.Nodes;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Hooks;
using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Tests.Editing;

[TestFixture]
internal class MemitBehaviourTests
{
    internal static readonly Gpt2Model Model = Gpt2Checkpoint.Load(TestPaths.Goldens("gpt2-random")).Model;

    // Two id-level requests on the random model, the subject ending each prompt, two templates.
    internal static List<RomePrompts> Requests()
    {
        RomePrompts Request(int[] subject, int[] target)
        {
            int[][] contexts = [[], [47, 959, 515]];
            var keys = contexts.Select(c => new IndexedPrompt([.. c, 12, .. subject], c.Length + subject.Length)).ToList();
            return new RomePrompts(keys, keys.Select(k => k with { Ids = [.. k.Ids, .. target[..^1]] }).ToList(),
                new IndexedPrompt([.. subject, 167, 309], subject.Length - 1), target);
        }
        return [Request([215, 786], [601, 515]), Request([33, 98, 400], [77])];
    }

    private static readonly MemitHyperParameters Hparams = new()
    {
        Layers = [1, 2], VLossLayer = 3, VNumGradSteps = 6, Mom2Adjustment = false, Mom2UpdateWeight = 2,
    };

    [Test]
    public void Defaults_are_upstream_gpt2_xl()
    {
        var h = MemitHyperParameters.Gpt2Xl;
        Assert.That(h.Layers, Is.EqualTo(new[] { 13, 14, 15, 16, 17 }));
        Assert.That((h.VNumGradSteps, h.VLr, h.VLossLayer, h.VWeightDecay, h.ClampNormFactor, h.KlFactor), Is.EqualTo((20, 0.5, 47, 0.5, 0.75, 0.0625)));
        Assert.That((h.Mom2UpdateWeight, h.Mom2Adjustment, h.Mom2NSamples, h.Mom2Dataset, h.LayerSelection), Is.EqualTo((20000.0, true, 100000, "wikipedia", "all")));
    }

    [Test]
    public void Upstream_json_reads_and_bad_keys_are_refused_by_name()
    {
        var upstream = JsonNode.Parse("""
            {"layers": [3, 4, 5, 6, 7, 8], "layer_selection": "all", "fact_token": "subject_last", "v_num_grad_steps": 25, "v_lr": 5e-1,
             "v_loss_layer": 27, "v_weight_decay": 0.5, "clamp_norm_factor": 0.75, "kl_factor": 0.0625, "mom2_adjustment": true,
             "mom2_update_weight": 15000, "rewrite_module_tmp": "transformer.h.{}.mlp.fc_out", "layer_module_tmp": "transformer.h.{}",
             "mlp_module_tmp": "transformer.h.{}.mlp", "attn_module_tmp": "transformer.h.{}.attn", "ln_f_module": "transformer.ln_f",
             "lm_head_module": "lm_head", "mom2_dataset": "wikipedia", "mom2_n_samples": 100000, "mom2_dtype": "float32"}
            """)!.AsObject();
        var h = MemitHyperParameters.FromJson(upstream);
        Assert.That((h.Layers.Length, h.ZLayer, h.VNumGradSteps, h.Mom2UpdateWeight), Is.EqualTo((6, 8, 25, 15000.0)));
        // That file is upstream's GPT-J 6B one, and the built-in GPT-J defaults are exactly it.
        var j = MemitHyperParameters.GptJ6B;
        Assert.That(j.Layers, Is.EqualTo(h.Layers));
        Assert.That(j with { Layers = h.Layers }, Is.EqualTo(h));

        string Error(string json) => Assert.Throws<InvalidDataException>(() => MemitHyperParameters.FromJson(JsonNode.Parse(json)!.AsObject(), "H.json"))!.Message;
        Assert.That(Error("""{"mom2_updat_weight": 1}"""), Does.Contain("unknown MEMIT hyperparameter 'mom2_updat_weight'"));
        Assert.That(Error("""{"context_template_length_params": [[5, 10]]}"""), Does.Contain("unknown MEMIT hyperparameter"));
        Assert.That(Error("""{"mom2_update_weight": "big"}"""), Does.Contain("'mom2_update_weight' has the wrong type"));
        Assert.That(Error("""{"layers": [5, 4]}"""), Does.Contain("increasing"));
        Assert.That(Error("""{"layer_selection": "random"}"""), Does.Contain("layer_selection 'random'"));
        Assert.That(Error("""{"mom2_update_weight": -1}"""), Does.Contain("mom2_update_weight"));
        Assert.That(Assert.Throws<InvalidDataException>(() => RomeHyperParameters.FromJson(JsonNode.Parse("""{"mom2_update_weight": 1}""")!.AsObject()))!.Message,
            Does.Contain("unknown ROME hyperparameter"));
        Assert.That(Assert.Throws<ArgumentException>(() => (Hparams with { VLossLayer = 1 }).CheckFits(Model))!.Message, Does.Contain("v_loss_layer 1"));
        Assert.That(Assert.Throws<ArgumentException>(() => (Hparams with { Layers = [2, 4] }).CheckFits(Model))!.Message, Does.Contain("layer 4 does not exist"));
    }

    [Test]
    public void A_singular_system_is_a_clear_error()
    {
        // λ = 0 and C = I leave only KKᵀ, of rank 2 in 512 dimensions.
        var e = Assert.Throws<InvalidOperationException>(() =>
            MemitEditor.Compute(Model, Requests(), Hparams with { Mom2UpdateWeight = 0, VNumGradSteps = 1 }, _ => throw new AssertionException("no statistics needed")));
        Assert.That(e!.Message, Does.Contain("MEMIT at layer 1: λC + KKᵀ is singular"));
        Assert.That(e.Message, Does.Contain("mom2_update_weight"));
    }

    // GPT-2 (c_proj [F, C]) and GPT-J (fc_out [C, F], parallel attention + MLP): the same batch edit in either layout.
    [TestCase("gpt2-random")]
    [TestCase("gptj-random")]
    public void The_edit_moves_block_outputs_toward_z_and_revert_restores_every_bit(string modelName)
    {
        var model = ModelCheckpoint.Load(TestPaths.Goldens(modelName)).Model;
        var requests = Requests();
        var names = Hparams.Layers.Select(l => model.MlpDownProjection(l).Name).ToList();
        var before = names.Select(n => model.Parameters[n].ToFloatArray()).ToList();
        var result = MemitEditor.Compute(model, requests, Hparams, _ => SecondMoment.Identity(model.MlpWidth));
        Assert.That(names.Select(n => model.Parameters[n].ToFloatArray()), Is.EqualTo(before), "Compute leaves the weights as they were");

        var applied = result.Edit.ApplyTo(model);
        try
        {
            for (int i = 0; i < names.Count; i++)
            {
                var expected = before[i].Zip(result.Edit.Deltas[i].Delta, (w, d) => w + d).ToArray();
                Assert.That(model.Parameters[names[i]].ToFloatArray(), Is.EqualTo(expected), "W + ΔW in float32");
            }
            var read = SubjectActivations.Read(model, requests.Select(r => r.Keys[0]).ToList(), [(HookPoint.BlockOut, 2)]);
            for (int j = 0; j < requests.Count; j++)
            {
                double start = Distance(result.Layers[0].CurrentZ[j], result.Targets[j]), end = Distance(read[0][j], result.Targets[j]);
                Assert.That(end, Is.LessThan(0.5 * start), $"request {j}: ‖z − h‖ {start:G3} → {end:G3}");
            }
        }
        finally { applied.Revert(); }
        Assert.That(names.Select(n => model.Parameters[n].ToFloatArray()), Is.EqualTo(before));
        Assert.That(result.Layers.Select(l => l.Delta.NormalizedMagnitude), Has.All.GreaterThan(0));
    }

    [Test]
    public void Many_right_hand_sides_solve_like_one_at_a_time()
    {
        const int n = 37, count = 21;
        var rng = new Random(5);
        var m = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < n; k++) a[i * n + j] += m[i * n + k] * m[j * n + k];
                if (i == j) a[i * n + j] += 0.1;
            }
        var b = Enumerable.Range(0, n * count).Select(_ => rng.NextDouble()).ToArray();
        var factor = new Cholesky(a, n);
        var many = factor.SolveMany(b, count);
        for (int r = 0; r < count; r++)
        {
            var one = factor.Solve(b.AsSpan(r * n, n));
            for (int i = 0; i < n; i++) Assert.That(many[r * n + i], Is.EqualTo(one[i]).Within(1e-9 * (1 + Math.Abs(one[i]))));
        }
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
