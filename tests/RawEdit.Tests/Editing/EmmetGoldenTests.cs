using System.Text.Json.Nodes;
using RawEdit.Editing.Emmet;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Editing;

/// <summary>
/// EMMET against the PyTorch reference (tools/reference/emmet_ref.py on memit_ref's pipeline, float64 run stored as float32;
/// upstream also solves in float64) on the random GPT-2, layers [1, 2], 1 and 8 requests, identity and real C, and
/// update_norm_lambda 0.5. Acceptance: ΔW of every layer, and the z targets, keys and current z that feed it, within 1e-3
/// relative Frobenius error (the same budget as MEMIT's goldens: the C# z optimisation runs in float32).
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
internal class EmmetGoldenTests(string device) : DeviceFixture(device)
{
    private const double Tolerance = 1e-3;
    internal const string Set = "emmet-alphaedit-random";

    internal static readonly JsonObject Manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Goldens(Set), "manifest.json")))!.AsObject();
    internal static string ModelDir => Path.Combine(TestPaths.RepoRoot, (string)Manifest["model_dir"]!);

    internal static IEnumerable<TestCaseData> CasesOf(string method) => Manifest["cases"]!.AsObject()
        .Where(c => (string)c.Value!["method"]! == method).Select(c => new TestCaseData(c.Key).SetName($"{Set} {c.Key}"));

    public static IEnumerable<TestCaseData> Cases() => CasesOf("emmet");

    [TestCaseSource(nameof(Cases))]
    public void Every_layer_update_matches_the_reference(string caseName)
    {
        var c = Manifest["cases"]![caseName]!.AsObject();
        var hp = c["hparams"]!;
        var h = (EmmetHyperParameters)MemitGoldenTests.HparamsOf(c, new EmmetHyperParameters
        {
            EmmetLambda = (double)hp["emmet_lambda"]!, UpdateNormLambda = (double)hp["update_norm_lambda"]!,
        });
        var result = EmmetEditor.Compute(DeviceModels.LoadGpt2(ModelDir), MemitGoldenTests.PromptsOf(c), h, MemitGoldenTests.SecondMomentOf);

        using var golden = SafetensorsFile.Open(Path.Combine(TestPaths.Goldens(Set), (string)c["file"]!));
        Assert.That(result.Batch.Values.Select(v => v.AdamSteps), Is.EqualTo(c["adam_steps"]!.AsArray().Select(v => (int)v!)), $"{caseName}: Adam steps");
        Assert.That(result.PseudoInverseLayers, Is.Empty, "D is invertible in every case");
        MemitFamilyGoldens.AssertWithin(MemitFamilyGoldens.Errors(result.Batch, golden), Tolerance, caseName);
    }
}
