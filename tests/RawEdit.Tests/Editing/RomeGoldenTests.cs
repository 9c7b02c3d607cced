using System.Text.Json.Nodes;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Editing;

/// <summary>
/// ROME, r-ROME and p-ROME against the PyTorch reference (tools/reference/rome_ref.py, float64 run stored as
/// float32). Acceptance: ΔW within 1e-3 relative Frobenius error in every mode. Intermediate vectors are
/// compared at the same tolerance to localise a failure.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
internal class RomeGoldenTests(string device) : DeviceFixture(device)
{
    private const double Tolerance = 1e-3;

    private static JsonObject Manifest(string set) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Goldens(set), "manifest.json")))!.AsObject();

    public static IEnumerable<TestCaseData> RandomCases() =>
        Manifest("rome-random")["cases"]!.AsObject().Select(c => new TestCaseData(c.Key).SetName($"rome-random {c.Key}"));

    /// <summary>Text requests on the HF fixture and on the embedded default model.</summary>
    public static IEnumerable<TestCaseData> TextCases() =>
        new[] { "rome-hf-tiny-gpt2", "rome-default" }.SelectMany(set =>
            Manifest(set)["cases"]!.AsObject().Select(c => new TestCaseData(set, c.Key).SetName($"{set} {c.Key}")));

    private static RomeMode ModeOf(string name) => name switch
    {
        "rome" => RomeMode.Rome,
        "r-rome" => RomeMode.RRome,
        "p-rome" => RomeMode.PRome,
        _ => throw new ArgumentException(name),
    };

    private static IndexedPrompt Prompt(JsonNode p) => new(p["ids"]!.AsArray().Select(v => (int)v!).ToArray(), (int)p["subject_last"]!);

    private static RomePrompts PromptsOf(JsonObject c)
    {
        var p = c["prompts"]!;
        return new RomePrompts(p["key"]!.AsArray().Select(Prompt!).ToList(), p["rewrite"]!.AsArray().Select(Prompt!).ToList(),
            Prompt(p["kl"]!), p["target_ids"]!.AsArray().Select(v => (int)v!).ToArray());
    }

    private static RomeHyperParameters HparamsOf(JsonObject c, int layer)
    {
        var h = c["hparams"]!;
        return new RomeHyperParameters
        {
            Layers = [layer], VNumGradSteps = (int)h["v_num_grad_steps"]!, VLr = (double)h["v_lr"]!, VWeightDecay = (double)h["v_weight_decay"]!,
            ClampNormFactor = (double)h["clamp_norm_factor"]!, KlFactor = (double)h["kl_factor"]!, Mom2Adjustment = (bool)h["mom2_adjustment"]!,
        };
    }

    private static SecondMoment SecondMomentOf(JsonObject manifest, JsonObject c, string set, int width)
    {
        if ((string)c["c"]! == "identity") return SecondMoment.Identity(width);
        using var file = SafetensorsFile.Open(Path.Combine(TestPaths.Goldens(set), (string)manifest["second_moment"]!["file"]!));
        return new SecondMoment(file.ReadAsFloat32("C").Select(x => (double)x).ToArray(), width, (long)manifest["second_moment"]!["n_tokens"]!);
    }

    private static void CheckAgainstGolden(string set, string caseName, RomeResult result, JsonObject c)
    {
        using var golden = SafetensorsFile.Open(Path.Combine(TestPaths.Goldens(set), (string)c["file"]!));
        void Near(string name, float[] actual) =>
            Assert.That(Compare.RelativeError(actual, golden.ReadAsFloat32(name)), Is.LessThanOrEqualTo(Tolerance), $"{caseName}: {name}");
        Near("k_bar", result.KBar);
        Near("k_s", result.KS);
        Near("u", result.U);
        Near("v_init", result.Value.VInit);
        Assert.That(result.Value.AdamSteps, Is.EqualTo((int)c["adam_steps"]!), $"{caseName}: Adam steps");
        if (result.Value.AdamSteps > 0) Near("delta", result.Value.Delta);
        Near("r", result.R);
        Near("delta_w", result.Edit.DeltaMatrix());
    }

    [TestCaseSource(nameof(RandomCases))]
    public void Random_model_update_matches_the_reference(string caseName)
    {
        var manifest = Manifest("rome-random");
        var c = manifest["cases"]![caseName]!.AsObject();
        var model = DeviceModels.LoadGpt2(Path.Combine(TestPaths.RepoRoot, (string)manifest["model_dir"]!));
        var result = RomeEditor.Compute(model, PromptsOf(c), HparamsOf(c, (int)manifest["layer"]!), ModeOf((string)c["mode"]!),
            SecondMomentOf(manifest, c, "rome-random", model.MlpWidth));
        CheckAgainstGolden("rome-random", caseName, result, c);
    }

    [TestCaseSource(nameof(TextCases))]
    public void Text_requests_tokenise_index_and_edit_as_the_reference(string set, string caseName)
    {
        var manifest = Manifest(set);
        var c = manifest["cases"]![caseName]!.AsObject();
        var model = DeviceModels.LoadGpt2(Path.Combine(TestPaths.RepoRoot, (string)manifest["model_dir"]!));
        var templates = manifest["templates"]!.AsArray().Select(t => (string)t!).ToList();
        var r = c["request"]!;
        var request = EditRequest.Create((string)r["prompt"]!, (string)r["subject"]!, (string)r["target_new"]!);
        var built = RomePrompts.Build(Gpt2Tokenizer.Default, request, templates);
        var expected = PromptsOf(c);
        Assert.That(built.TargetIds, Is.EqualTo(expected.TargetIds));
        Assert.That(built.Kl, Is.EqualTo(expected.Kl).Using<IndexedPrompt>(SamePrompt));
        Assert.That(built.Keys, Is.EqualTo(expected.Keys).Using<IndexedPrompt>(SamePrompt));
        Assert.That(built.Rewrites, Is.EqualTo(expected.Rewrites).Using<IndexedPrompt>(SamePrompt));

        var result = RomeEditor.Compute(model, built, HparamsOf(c, (int)manifest["layer"]!), ModeOf((string)c["mode"]!), SecondMoment.Identity(model.MlpWidth));
        CheckAgainstGolden(set, caseName, result, c);
    }

    private static bool SamePrompt(IndexedPrompt a, IndexedPrompt b) => a.SubjectLast == b.SubjectLast && a.Ids.SequenceEqual(b.Ids);
}
