using System.Text.Json.Nodes;
using RawEdit.Evaluation.Tracing;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors;

namespace RawEdit.Tests.Evaluation.Tracing;

/// <summary>
/// Causal tracing against tools/reference/trace_ref.py (float64, stored float32) on the random GPT-2 and GPT-J, with the
/// reference's noise tensor passed in. Tolerances: each map of restored probabilities [T,L] ‖ours − ref‖/‖ref‖ ≤ 1e-4;
/// clean and corrupted probabilities within 1e-4 relative; the indirect effects (small differences of such
/// probabilities) within 1e-7 absolute; σ of the embeddings within 1e-6 relative.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class CausalTraceGoldenTests(string device) : DeviceFixture(device)
{
    private const double ProbabilityTolerance = 1e-4, EffectTolerance = 1e-7;

    private static readonly JsonObject Manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Goldens("trace-random"), "manifest.json")))!.AsObject();

    private static IEnumerable<string> Cases => ["gpt2-random", "gptj-random"];

    [TestCaseSource(nameof(Cases))]
    public void Restored_probabilities_of_every_kind_token_and_layer_match_the_reference(string name)
    {
        var golden = Manifest["cases"]![name]!;
        var model = ModelCheckpoint.LoadOnDefaultBackend(TestPaths.Goldens(name)).Model;
        using var expected = SafetensorsFile.Open(Path.Combine(TestPaths.Goldens("trace-random"), "goldens.safetensors"));
        var ids = golden["input_ids"]!.AsArray().Select(v => (int)v!).ToArray();
        var subject = new TokenSpan((int)golden["subject"]![0]!, (int)golden["subject"]![1]!);
        int samples = (int)Manifest["samples"]!, target = (int)golden["target"]!;
        var noise = Tensor.FromArray(expected.ReadAsFloat32($"{name}.noise"), samples, subject.Length, model.Embedding);

        var tracer = new CausalTracer(model, Gpt2Tokenizer.Default, window: (int)Manifest["window"]!);
        Assert.That(tracer.PredictNext(ids), Is.EqualTo(target), "the clean prediction is the reference's target");
        var trace = tracer.Trace(ids, subject, target, noise);

        Assert.That(trace.Clean, Is.EqualTo((double)golden["clean"]!).Within(ProbabilityTolerance * (double)golden["clean"]!));
        Assert.That(trace.Corrupted, Is.EqualTo((double)golden["corrupted"]!).Within(ProbabilityTolerance * (double)golden["corrupted"]!));
        foreach (var kind in TraceKinds.All)
        {
            string key = TraceKinds.Name(kind);
            var reference = expected.ReadAsFloat32($"{name}.{key}");
            var ours = trace.Restored[key].SelectMany(row => row).Select(p => (float)p).ToArray();
            double error = Compare.RelativeError(ours, reference);
            var referenceEffect = reference.Select(p => (float)(p - (double)golden["corrupted"]!)).ToArray();
            var ourEffect = trace.IndirectEffect(kind).SelectMany(row => row).Select(e => (float)e).ToArray();
            double effectError = Compare.MaxAbsDiff(ourEffect, referenceEffect);
            TestContext.Out.WriteLine($"{name} {key}: restored p relative error {error:E2}, indirect effect max |diff| {effectError:E2} (largest effect {referenceEffect.Max(Math.Abs):E2})");
            Assert.That(error, Is.LessThanOrEqualTo(ProbabilityTolerance), key);
            Assert.That(effectError, Is.LessThanOrEqualTo(EffectTolerance), key);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Embedding_spread_over_subject_tokens_matches_the_reference(string name)
    {
        var golden = Manifest["cases"]![name]!;
        var model = ModelCheckpoint.LoadOnDefaultBackend(TestPaths.Goldens(name)).Model;
        var ids = golden["subject_ids"]!.AsArray().SelectMany(s => s!.AsArray().Select(v => (int)v!)).ToArray();
        Assert.That(TraceNoise.EmbeddingStd(model, ids), Is.EqualTo((double)golden["embedding_std"]!).Within(1e-6 * (double)golden["embedding_std"]!));
    }
}
