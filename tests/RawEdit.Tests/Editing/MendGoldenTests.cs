using System.Text.Json.Nodes;
using RawEdit.Editing.Mend;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors;

namespace RawEdit.Tests.Editing;

/// <summary>
/// MEND against the PyTorch reference (tools/reference/mend_ref.py, float64 run stored as float32) on gpt2-random,
/// editing both MLP matrices of the last three blocks: two training steps as upstream's trainer.py makes them
/// (accumulation over three then two examples, clipping, the outer Adam(lr) over the networks and the edit steps α,
/// Welford statistics) and then one eval-mode edit by the trained editor. Acceptance: relative
/// error ≤ 1e-3 for the gradients, the parameter updates, the statistics, the editor's outputs and ΔW.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class MendGoldenTests(string device) : DeviceFixture(device)
{
    private const double Tolerance = 1e-3;

    private static JsonObject Manifest => JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Goldens("mend-random"), "manifest.json")))!.AsObject();

    private static TargetedSequence[] Sequences(JsonNode part) =>
        part["ids"]!.AsArray().Select((ids, i) => new TargetedSequence(ids!.AsArray().Select(v => (int)v!).ToArray(), (int)part["target_starts"]![i]!)).ToArray();

    private static MendExample Example(JsonNode e) => new(Sequences(e["inner"]!), Sequences(e["outer"]!),
        e["loc"]!.AsArray().Select(s => s!.AsArray().Select(v => (int)v!).ToArray()).ToList());

    private static MendHyperParameters Hparams(JsonObject manifest)
    {
        var h = MendHyperParameters.FromJson(manifest["hparams"]!.DeepClone().AsObject(), "manifest");
        return h with { InnerParams = manifest["inner_params"]!.AsArray().Select(n => (string)n!).ToArray() };
    }

    private readonly Dictionary<string, double> worst = new();

    private void Near(string kind, string what, float[] actual, float[] expected)
    {
        double error = Compare.RelativeError(actual, expected);
        worst[kind] = Math.Max(worst.GetValueOrDefault(kind), error);
        Assert.That(error, Is.LessThanOrEqualTo(Tolerance), what);
    }

    [TearDown]
    public void ReportWorst()
    {
        foreach (var (kind, error) in worst) TestContext.Out.WriteLine($"largest relative error, {kind}: {error:E2}");
    }

    private static float[] Minus(float[] a, float[] b) => a.Zip(b, (x, y) => x - y).ToArray();

    [Test]
    public void Two_training_steps_and_an_edit_match_the_reference()
    {
        var manifest = Manifest;
        var model = DeviceModels.LoadGpt2(Path.Combine(TestPaths.RepoRoot, (string)manifest["model_dir"]!));
        Assert.That(model.EosTokenId, Is.EqualTo((int)manifest["pad_token_id"]!));
        using var golden = SafetensorsFile.Open(Path.Combine(TestPaths.Goldens("mend-random"), "goldens.safetensors"));
        var examples = manifest["examples"]!.AsArray().Select(e => Example(e!)).ToList();

        var editor = MendEditor.Create(model, Hparams(manifest));
        var parameters = editor.Parameters().ToList();
        Assert.That(parameters.Select(p => "init." + p.Name), Is.EquivalentTo(golden.Entries.Keys.Where(k => k.StartsWith("init."))));
        foreach (var (name, tensor) in parameters) tensor.CopyFrom(Tensor.FromArray(golden.ReadAsFloat32("init." + name), tensor.Shape));
        Assert.That(editor.NetworkParameters().Where(p => p.Name.EndsWith(".u")).All(p => p.Value.ToFloatArray().All(x => x == 0)), "U starts at zero");

        var trainer = new MendTrainer(model, editor, examples, []);
        foreach (var step in manifest["steps"]!.AsArray())
        {
            int s = (int)step!["step"]!;
            var before = parameters.ToDictionary(p => p.Name, p => p.Value.ToFloatArray());
            var losses = step["examples"]!.AsArray().Select(i => trainer.Accumulate(examples[(int)i!])).ToList();
            for (int i = 0; i < losses.Count; i++)
                Assert.That(losses[i].Total, Is.EqualTo((double)step["losses"]![i]!["total"]!).Within(1e-4).Percent, $"step {s} loss {i}");
            foreach (var (name, tensor) in parameters)
                Near("gradients", $"step {s} gradient {name}", tensor.Grad?.ToFloatArray() ?? new float[tensor.Length], golden.ReadAsFloat32($"step{s}.grad.{name}"));
            double norm = trainer.Update();
            Assert.That(norm, Is.EqualTo((double)step["grad_norm_float64"]!).Within(1e-3 * norm), $"step {s} gradient norm");
            foreach (var (name, tensor) in parameters)
                Near("parameter updates", $"step {s} update of {name}", Minus(tensor.ToFloatArray(), before[name]), Minus(golden.ReadAsFloat32($"step{s}.after.{name}"), before[name]));
            foreach (var (key, network) in editor.Networks)
            {
                Assert.That(network.InputStatistics.Count, Is.EqualTo((long)step["stats_count"]![key]!), $"step {s} {key} rows");
                Near("statistics", $"step {s} {key} u mean", ToFloat(network.InputStatistics.Mean), golden.ReadAsFloat32($"step{s}.stats.{key}.u_mean"));
                Near("statistics", $"step {s} {key} u M2", ToFloat(network.InputStatistics.M2), golden.ReadAsFloat32($"step{s}.stats.{key}.u_s"));
                Near("statistics", $"step {s} {key} δ mean", ToFloat(network.GradientStatistics.Mean), golden.ReadAsFloat32($"step{s}.stats.{key}.v_mean"));
                Near("statistics", $"step {s} {key} δ M2", ToFloat(network.GradientStatistics.M2), golden.ReadAsFloat32($"step{s}.stats.{key}.v_s"));
            }
        }

        var request = examples[(int)manifest["eval_example"]!].EditInner;
        var factors = GradientFactors.Capture(model, editor.Matrices, request);
        var edit = editor.Compute(model, request);
        for (int i = 0; i < editor.Matrices.Count; i++)
        {
            string name = editor.Matrices[i].Name, n = name["transformer.".Length..];
            Assert.That(factors[i].Rows, Is.EqualTo((int)manifest["eval_rows"]![name]!), $"{name}: kept rows");
            Near("captured u, δ", $"{name} u", factors[i].U, golden.ReadAsFloat32($"eval.u.{n}"));
            Near("captured u, δ", $"{name} δ", factors[i].Delta, golden.ReadAsFloat32($"eval.delta.{n}"));
            Near("editor outputs", $"{name} editor u'", edit.Updates[i].U, golden.ReadAsFloat32($"eval.editor_u.{n}"));
            Near("editor outputs", $"{name} editor δ'", edit.Updates[i].D, golden.ReadAsFloat32($"eval.editor_d.{n}"));
            Near("ΔW", $"{name} ΔW", edit.Updates[i].DeltaMatrix(), golden.ReadAsFloat32($"eval.delta_w.{n}"));
        }
    }

    private static float[] ToFloat(double[] v) => v.Select(x => (float)x).ToArray();
}
