using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>Reads a real Hugging Face GPT2LMHeadModel checkpoint (tiny, F32, tied LM head).</summary>
internal class HfFixtureTests
{
    private static readonly string FixturePath = TestPaths.Fixture("fixtures/hf-tiny-gpt2/model.safetensors");

    private static readonly (string Name, long[] Shape)[] ExpectedEntries =
    {
        ("transformer.h.0.attn.c_attn.bias", new long[] { 48 }),
        ("transformer.h.0.attn.c_attn.weight", new long[] { 16, 48 }),
        ("transformer.h.0.attn.c_proj.bias", new long[] { 16 }),
        ("transformer.h.0.attn.c_proj.weight", new long[] { 16, 16 }),
        ("transformer.h.0.ln_1.bias", new long[] { 16 }),
        ("transformer.h.0.ln_1.weight", new long[] { 16 }),
        ("transformer.h.0.ln_2.bias", new long[] { 16 }),
        ("transformer.h.0.ln_2.weight", new long[] { 16 }),
        ("transformer.h.0.mlp.c_fc.bias", new long[] { 64 }),
        ("transformer.h.0.mlp.c_fc.weight", new long[] { 16, 64 }),
        ("transformer.h.0.mlp.c_proj.bias", new long[] { 16 }),
        ("transformer.h.0.mlp.c_proj.weight", new long[] { 64, 16 }),
        ("transformer.ln_f.bias", new long[] { 16 }),
        ("transformer.ln_f.weight", new long[] { 16 }),
        ("transformer.wpe.weight", new long[] { 256, 16 }),
        ("transformer.wte.weight", new long[] { 50257, 16 }),
    };

    [Test]
    public void EveryEntryIsListedWithItsShapeAndFiniteValues()
    {
        using var file = SafetensorsFile.Open(FixturePath);

        Assert.That(file.Entries.Keys.Order(StringComparer.Ordinal), Is.EqualTo(ExpectedEntries.Select(e => e.Name)));
        Assert.That(file.Metadata, Is.EqualTo(new Dictionary<string, string> { ["format"] = "pt" }));
        foreach (var (name, shape) in ExpectedEntries)
        {
            var entry = file.GetEntry(name);
            Assert.That(entry.DType, Is.EqualTo(TensorDType.F32), name);
            Assert.That(entry.Shape, Is.EqualTo(shape), name);
            var values = file.ReadAsFloat32(name);
            Assert.That(values, Has.Length.EqualTo(shape.Aggregate(1L, (a, b) => a * b)), name);
            Assert.That(values.All(float.IsFinite), name);
        }
        // LayerNorm gains in this lightly trained tiny model stay near 1: catches a misplaced offset.
        Assert.That(file.ReadAsFloat32("transformer.ln_f.weight"), Is.All.InRange(0.9f, 1.1f));
        Assert.That(file.ReadAsFloat32("transformer.wte.weight").Any(v => v != 0f), "embeddings should not be all zero");
    }

    [Test]
    public void RewritingWithOurWriterIsByteIdenticalAndParsesToTheSameTensors()
    {
        using var dir = new ScratchDirectory();
        string copy = dir.File("model.safetensors");
        using (var original = SafetensorsFile.Open(FixturePath))
        {
            var sources = original.Entries.Values.Select(e =>
                TensorWriteSource.FromRaw(e.Name, e.DType, e.Shape, original.RawMemory(e.Name)));
            SafetensorsWriter.Write(copy, sources, original.Metadata);
        }

        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(File.ReadAllBytes(FixturePath)));

        using var before = SafetensorsFile.Open(FixturePath);
        using var after = SafetensorsFile.Open(copy);
        Assert.That(after.Entries.Keys, Is.EquivalentTo(before.Entries.Keys));
        foreach (string name in before.Entries.Keys)
        {
            Assert.That(after.GetEntry(name).Shape, Is.EqualTo(before.GetEntry(name).Shape), name);
            Assert.That(after.ReadAsFloat32(name), Is.EqualTo(before.ReadAsFloat32(name)), name);
        }
    }

    [Test]
    public void ConvertingToFloatSourcesAlsoReproducesTheFile()
    {
        // Through the fp32 path (decode, then re-encode as F32) rather than raw byte copies.
        using var original = SafetensorsFile.Open(FixturePath);
        byte[] rewritten = SafetensorsWriter.ToBytes(
            original.Entries.Values.Select(e => TensorWriteSource.FromFloat32(e.Name, TensorDType.F32, e.Shape,
                () => original.ReadAsFloat32(e.Name))),
            original.Metadata);
        Assert.That(rewritten, Is.EqualTo(File.ReadAllBytes(FixturePath)));
    }

    [Test]
    public void TheFixtureFolderOpensAsASingleFileCheckpoint()
    {
        using var checkpoint = ShardedCheckpoint.Open(Path.GetDirectoryName(FixturePath)!);
        Assert.That(checkpoint.Shards, Has.Count.EqualTo(1));
        Assert.That(checkpoint.Entries, Has.Count.EqualTo(ExpectedEntries.Length));
        Assert.That(checkpoint.GetEntry("transformer.h.0.attn.c_attn.weight").Shape, Is.EqualTo(new long[] { 16, 48 }));
        Assert.That(checkpoint.IndexMetadata, Is.Empty);
    }
}
