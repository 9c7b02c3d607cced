using System.Text.Json.Nodes;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors;

namespace RawEdit.Tests.Models;

/// <summary>One PyTorch-reference golden set (tools/reference): the model, its batch and the expected tensors.</summary>
internal sealed class GoldenCase : IDisposable
{
    private GoldenCase(string name)
    {
        Name = name;
        string dir = TestPaths.Goldens(name);
        Manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!.AsObject();
        string modelDir = name == "hf-tiny-gpt2" ? TestPaths.Fixture("fixtures/hf-tiny-gpt2") : Path.Combine(TestPaths.RepoRoot, (string)Manifest["model_dir"]!);
        Loaded = ModelCheckpoint.LoadOnDefaultBackend(modelDir);   // a DeviceFixture's backend
        ModelDir = modelDir;
        Expected = SafetensorsFile.Open(Path.Combine(dir, "goldens.safetensors"));
        var ids = Manifest["input_ids"]!.AsArray().Select(r => r!.AsArray().Select(v => (int)v!).ToArray()).ToList();
        var lengths = Manifest["lengths"]!.AsArray().Select(v => (int)v!).ToArray();
        Sequences = ids.Select((r, i) => r[..lengths[i]]).ToList();
        Batch = new TokenBatch(Sequences, (int)Manifest["pad_token_id"]!);
        HookLayer = (int)Manifest["hook_layer"]!;
        InjectRows = Manifest["inject"]!["positions"]!.AsArray()
            .Select(p => Batch.Row((int)p![0]!, (int)p[1]!)).ToArray();
    }

    public static IEnumerable<string> Names => ["gpt2-random", "hf-tiny-gpt2"];

    public static IEnumerable<string> GptJNames => ["gptj-random", "gptj-random-fullrot"];

    public static GoldenCase Open(string name) => new(name);

    public string Name { get; }
    public string ModelDir { get; }
    public JsonObject Manifest { get; }
    public ModelCheckpoint.Loaded Loaded { get; }
    public ICausalLanguageModel Model => Loaded.Model;
    public SafetensorsFile Expected { get; }
    public List<int[]> Sequences { get; }
    public TokenBatch Batch { get; }
    public int HookLayer { get; }
    public int[] InjectRows { get; }
    public bool BareKeys => Loaded.Layout == KeyLayout.Bare && Model.Architecture == "gpt2";

    public float[] Golden(string name) => Expected.ReadAsFloat32(name);

    /// <summary>The golden gradient's key for one of our (prefixed) parameter names.</summary>
    public string GradKey(string parameter) => "grad." + (BareKeys ? parameter["transformer.".Length..] : parameter);

    public void Dispose() => Expected.Dispose();
}
