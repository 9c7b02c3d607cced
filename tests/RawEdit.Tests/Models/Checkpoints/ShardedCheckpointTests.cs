using System.Text.Json.Nodes;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Models.Checkpoints;

internal class ShardedCheckpointTests
{
    private const string IndexName = "model.safetensors.index.json";

    /// <summary>Six tensors of 400 bytes each; with a 1000-byte limit they form 3 shards of 2.</summary>
    private static (string Name, float[] Values)[] SixTensors() =>
        Enumerable.Range(0, 6)
            .Select(i => ($"layer.{i}.weight", Enumerable.Range(0, 100).Select(j => i * 1000f + j).ToArray()))
            .ToArray();

    private static IReadOnlyList<string> WriteSixTensors(string folder) =>
        SafetensorsWriter.WriteSharded(folder,
            SixTensors().Select(t => TensorWriteSource.FromFloat32(t.Name, TensorDType.F32, new long[] { 10, 10 }, t.Values)),
            maxShardBytes: 1000,
            new Dictionary<string, string> { ["format"] = "pt" });

    [Test]
    public void ThreeShardsAndAnIndexRoundTrip()
    {
        using var dir = new ScratchDirectory();
        var shards = WriteSixTensors(dir.Path);

        Assert.That(shards, Is.EqualTo(new[]
        {
            "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
        }));
        Assert.That(dir.FileNames(), Is.EqualTo(shards.Append(IndexName).Order(StringComparer.Ordinal)));

        var index = JsonNode.Parse(File.ReadAllText(dir.File(IndexName)))!;
        Assert.That(index["metadata"]!["total_size"]!.GetValue<long>(), Is.EqualTo(6 * 400));
        Assert.That(index["weight_map"]!["layer.0.weight"]!.GetValue<string>(), Is.EqualTo(shards[0]));
        Assert.That(index["weight_map"]!["layer.5.weight"]!.GetValue<string>(), Is.EqualTo(shards[2]));

        using var checkpoint = ShardedCheckpoint.Open(dir.Path);
        Assert.That(checkpoint.Shards, Has.Count.EqualTo(3));
        Assert.That(checkpoint.IndexMetadata["total_size"], Is.EqualTo("2400"));
        Assert.That(checkpoint.Entries.Keys, Is.EquivalentTo(SixTensors().Select(t => t.Name)));
        foreach (var (name, values) in SixTensors())
        {
            Assert.That(checkpoint.ReadAsFloat32(name), Is.EqualTo(values), name);
            Assert.That(checkpoint.GetEntry(name).Shape, Is.EqualTo(new long[] { 10, 10 }));
            Assert.That(checkpoint.ShardOf(name).Metadata["format"], Is.EqualTo("pt"));
        }
        Assert.That(checkpoint.ShardOf("layer.3.weight").Path, Does.EndWith(shards[1]));
    }

    [Test]
    public void OpeningTheIndexFileDirectlyGivesTheSameView()
    {
        using var dir = new ScratchDirectory();
        WriteSixTensors(dir.Path);
        using var checkpoint = ShardedCheckpoint.Open(dir.File(IndexName));
        Assert.That(checkpoint.Entries, Has.Count.EqualTo(6));
    }

    [Test]
    public void ATensorLargerThanTheLimitGetsAShardOfItsOwn()
    {
        using var dir = new ScratchDirectory();
        var shards = SafetensorsWriter.WriteSharded(dir.Path, new[]
        {
            TensorWriteSource.FromFloat32("small", TensorDType.F32, new long[] { 10 }, new float[10]),
            TensorWriteSource.FromFloat32("huge", TensorDType.F32, new long[] { 1000 }, new float[1000]),
            TensorWriteSource.FromFloat32("tail", TensorDType.F32, new long[] { 10 }, new float[10]),
        }, maxShardBytes: 100);

        Assert.That(shards, Has.Count.EqualTo(3));
        using var checkpoint = ShardedCheckpoint.Open(dir.Path);
        Assert.That(checkpoint.ShardOf("huge").Entries.Keys, Is.EqualTo(new[] { "huge" }));
    }

    [Test]
    public void AMissingShardIsReportedByName()
    {
        using var dir = new ScratchDirectory();
        var shards = WriteSixTensors(dir.Path);
        File.Delete(dir.File(shards[1]));

        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains(IndexName)
            .And.Message.Contains($"shard '{shards[1]}' listed in the index does not exist"));
    }

    [Test]
    public void ANameMappedToTheWrongShardIsReported()
    {
        using var dir = new ScratchDirectory();
        var shards = WriteSixTensors(dir.Path);
        EditIndex(dir, index => index["weight_map"]!["layer.0.weight"] = shards[2]);

        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains($"tensor 'layer.0.weight' is mapped to shard '{shards[2]}', which does not contain it"));
    }

    [Test]
    public void ANameTheIndexDoesNotListIsReported()
    {
        using var dir = new ScratchDirectory();
        WriteSixTensors(dir.Path);
        EditIndex(dir, index => index["weight_map"]!.AsObject().Remove("layer.4.weight"));

        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("contains tensor 'layer.4.weight' but the index does not list it"));
    }

    [Test]
    public void AnIndexNameWithNoTensorAnywhereIsReported()
    {
        using var dir = new ScratchDirectory();
        var shards = WriteSixTensors(dir.Path);
        EditIndex(dir, index => index["weight_map"]!["lm_head.weight"] = shards[0]);

        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("tensor 'lm_head.weight' is mapped to shard"));
    }

    [TestCase("../outside.safetensors")]
    [TestCase("sub/model.safetensors")]
    [TestCase("")]
    public void ShardNamesMustBePlainFileNames(string shard)
    {
        using var dir = new ScratchDirectory();
        WriteSixTensors(dir.Path);
        EditIndex(dir, index => index["weight_map"]!["layer.0.weight"] = shard);

        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("not a plain file name"));
    }

    [TestCase("[1, 2]", "index must be a JSON object")]
    [TestCase("{\"metadata\": {}}", "needs a \"weight_map\" object")]
    [TestCase("{\"weight_map\": {\"a\": 5}}", "must be a shard file name string")]
    [TestCase("{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"x.safetensors\"}}", "duplicate key 'a' in weight_map")]
    [TestCase("{\"weight_map\": {} ", "index is not valid JSON")]
    [TestCase("{\"weight_map\": {\"\\ud800\": \"x.safetensors\"}}", "index is not valid JSON")]
    public void MalformedIndexesAreReported(string indexJson, string fragment)
    {
        using var dir = new ScratchDirectory();
        File.WriteAllText(dir.File(IndexName), indexJson);
        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains(fragment).And.Message.Contains(IndexName));
    }

    [Test]
    public void AFolderWithBothASingleFileAndAnIndexIsAmbiguous()
    {
        using var dir = new ScratchDirectory();
        WriteSixTensors(dir.Path);
        SafetensorsWriter.Write(dir.File("model.safetensors"), Array.Empty<TensorWriteSource>());

        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("both model.safetensors and model.safetensors.index.json"));
    }

    [Test]
    public void AnEmptyFolderIsNotACheckpoint()
    {
        using var dir = new ScratchDirectory();
        Assert.That(() => ShardedCheckpoint.Open(dir.Path), Throws.TypeOf<FileNotFoundException>());
        Assert.That(() => ShardedCheckpoint.Open(dir.File("absent")), Throws.TypeOf<DirectoryNotFoundException>());
    }

    [Test]
    public void AFailedShardedWriteLeavesThePreviousCheckpointUntouched()
    {
        using var dir = new ScratchDirectory();
        WriteSixTensors(dir.Path);
        var before = dir.FileNames().ToDictionary(n => n, n => File.ReadAllBytes(dir.File(n)));

        var sources = SixTensors()
            .Select((t, i) => TensorWriteSource.FromFloat32(t.Name, TensorDType.F32, new long[] { 10, 10 },
                () => i == 4 ? throw new IOException("disk full") : t.Values.Select(v => -v).ToArray()))
            .ToList();
        Assert.That(() => SafetensorsWriter.WriteSharded(dir.Path, sources, maxShardBytes: 1000),
            Throws.TypeOf<IOException>().With.Message.EqualTo("disk full"));

        Assert.That(dir.FileNames(), Is.EqualTo(before.Keys.Order(StringComparer.Ordinal)));
        foreach (var (name, bytes) in before)
        {
            Assert.That(File.ReadAllBytes(dir.File(name)), Is.EqualTo(bytes), name);
        }
    }

    private static void EditIndex(ScratchDirectory dir, Action<JsonNode> edit)
    {
        var index = JsonNode.Parse(File.ReadAllText(dir.File(IndexName)))!;
        edit(index);
        File.WriteAllText(dir.File(IndexName), index.ToJsonString());
    }
}
