using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Models.Checkpoints;

internal class AtomicWriteTests
{
    private static TensorWriteSource Tensor(string name, float value) =>
        TensorWriteSource.FromFloat32(name, TensorDType.F32, new long[] { 2 }, new[] { value, value });

    private static IEnumerable<TensorWriteSource> ThrowingAfterOne()
    {
        yield return Tensor("first", 1f);
        throw new IOException("source failed while enumerating");
    }

    [Test]
    public void ExistingFileSurvivesAnEnumeratorThatThrows()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        SafetensorsWriter.Write(path, new[] { Tensor("old", 7f) });
        byte[] before = File.ReadAllBytes(path);

        Assert.That(() => SafetensorsWriter.Write(path, ThrowingAfterOne()),
            Throws.TypeOf<IOException>().With.Message.Contains("while enumerating"));

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(dir.FileNames(), Is.EqualTo(new[] { "model.safetensors" }));
    }

    [Test]
    public void ExistingFileSurvivesAFailureHalfwayThroughTheData()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        SafetensorsWriter.Write(path, new[] { Tensor("old", 7f) });
        byte[] before = File.ReadAllBytes(path);
        bool firstWritten = false;

        var sources = new[]
        {
            TensorWriteSource.FromFloat32("a", TensorDType.F32, new long[] { 1000 }, () =>
            {
                firstWritten = true;
                return new float[1000];
            }),
            TensorWriteSource.FromFloat32("b", TensorDType.F32, new long[] { 1000 },
                () => throw new InvalidOperationException("producer failed")),
        };
        Assert.That(() => SafetensorsWriter.Write(path, sources),
            Throws.InvalidOperationException.With.Message.Contains("producer failed"));

        Assert.That(firstWritten, Is.True, "the failure should happen after data was already written");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(dir.FileNames(), Is.EqualTo(new[] { "model.safetensors" }));
    }

    [Test]
    public void AProducerReturningTheWrongLengthAbortsTheWrite()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        var source = TensorWriteSource.FromRaw("a", TensorDType.F16, new long[] { 4 }, () => new byte[6]);

        Assert.That(() => SafetensorsWriter.Write(path, new[] { source }),
            Throws.InvalidOperationException.With.Message.Contains("expects 8 bytes but got 6"));
        Assert.That(dir.FileNames(), Is.Empty);
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "Windows refuses to replace a file that is memory-mapped.")]
    public void SuccessfulWriteReplacesTheFileEvenWhileTheOldOneIsOpen()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        SafetensorsWriter.Write(path, new[] { Tensor("old", 7f) });

        using (var oldView = SafetensorsFile.Open(path))
        {
            // Re-encode what we are reading into the same path (the edit-in-place workflow).
            SafetensorsWriter.Write(path, new[]
            {
                TensorWriteSource.FromRaw("old", TensorDType.F32, new long[] { 2 }, oldView.RawMemory("old")),
                Tensor("new", 3f),
            });
            Assert.That(oldView.ReadAsFloat32("old"), Is.EqualTo(new[] { 7f, 7f }));
        }

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Entries.Keys, Is.EquivalentTo(new[] { "old", "new" }));
        Assert.That(file.ReadAsFloat32("old"), Is.EqualTo(new[] { 7f, 7f }));
        Assert.That(file.ReadAsFloat32("new"), Is.EqualTo(new[] { 3f, 3f }));
        Assert.That(dir.FileNames(), Is.EqualTo(new[] { "model.safetensors" }));
    }
}
