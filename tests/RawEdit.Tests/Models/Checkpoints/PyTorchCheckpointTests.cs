using System.IO.Compression;
using System.Text;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Checkpoints.PyTorch;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>
/// PyTorch <c>.bin</c> state dicts written by Debian's torch 1.13 (tools/reference/make_pytorch_bin_fixtures.py),
/// each compared with a safetensors twin written from the same numpy values; and hostile or broken files.
/// </summary>
[TestFixture]
internal class PyTorchCheckpointTests
{
    private static string Fixture(string relative) => TestPaths.InRepo(Path.Combine("tests", "RawEdit.Tests", "Models", "Checkpoints", "Fixtures", "pytorch", relative));

    private string temp = "";

    [SetUp]
    public void CreateTemp() => temp = Directory.CreateTempSubdirectory("rawedit-bin-").FullName;

    [TearDown]
    public void DeleteTemp() => Directory.Delete(temp, recursive: true);

    private static void AssertMatchesExpected(ITensorCheckpoint checkpoint, string expectedPath, bool expectedIsFloat32 = false)
    {
        using var expected = SafetensorsFile.Open(expectedPath);
        Assert.That(checkpoint.Names, Is.EquivalentTo(expected.Entries.Keys));
        foreach (var (name, entry) in expected.Entries)
        {
            Assert.That(checkpoint.ShapeOf(name), Is.EqualTo(entry.Shape), name);
            if (!expectedIsFloat32) Assert.That(checkpoint.DTypeOf(name), Is.EqualTo(entry.DType), name);
            if (entry.DType.IsFloat32Convertible())
                Assert.That(checkpoint.ReadAsFloat32(name), Is.EqualTo(expected.ReadAsFloat32(name)), name);
        }
    }

    [TestCase("gpt2-f32")]
    [TestCase("gpt2-f16")]
    [TestCase("gptj-f32")]
    [TestCase("gptj-f16")]
    public void A_torch_saved_state_dict_reads_exactly_the_values_torch_wrote(string folder)
    {
        using var checkpoint = PyTorchCheckpoint.Open(Fixture(folder));
        AssertMatchesExpected(checkpoint, Fixture(Path.Combine(folder, "pytorch_model.bin.expected.safetensors")));
    }

    [Test]
    public void Strided_views_offsets_shared_storages_and_bf16_read_as_their_values()
    {
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("views.bin"));
        AssertMatchesExpected(checkpoint, Fixture("views.bin.expected.safetensors"), expectedIsFloat32: true);
        Assert.That(checkpoint.DTypeOf("bf16"), Is.EqualTo(TensorDType.BF16));
        Assert.That(checkpoint.ReadAsFloat32("transposed")[..3], Is.EqualTo(new float[] { 0, 6, 12 }), "a transpose reads down the columns of its base");
    }

    [Test]
    public void A_sharded_checkpoint_reads_through_its_index()
    {
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("gptj-f16-sharded"));
        AssertMatchesExpected(checkpoint, Fixture("gptj-f16-sharded/expected.safetensors"));
    }

    [TestCase("gpt2-f32", "gpt2", TensorDType.F32)]
    [TestCase("gpt2-f16", "gpt2", TensorDType.F16)]
    [TestCase("gptj-f16", "gptj", TensorDType.F16)]
    [TestCase("gptj-f16-sharded", "gptj", TensorDType.F16)]
    public void A_model_folder_with_pytorch_weights_loads_with_its_stored_precision(string folder, string architecture, TensorDType stored)
    {
        var loaded = ModelCheckpoint.Load(Fixture(folder));
        Assert.That(loaded.Model.Architecture, Is.EqualTo(architecture));
        Assert.That(loaded.StoredTypes.Values, Is.All.EqualTo(stored));
        string expectedPath = folder.EndsWith("sharded") ? Fixture(Path.Combine(folder, "expected.safetensors")) : Fixture(Path.Combine(folder, "pytorch_model.bin.expected.safetensors"));
        using var expected = SafetensorsFile.Open(expectedPath);
        foreach (var (name, tensor) in loaded.Model.Parameters)
            Assert.That(tensor.ToFloatArray(), Is.EqualTo(expected.ReadAsFloat32(name)), name);

        // Saved back (as safetensors) in the same key layout and precision, every value unchanged.
        ModelCheckpoint.Save(loaded.Model, temp, loaded.Layout, loaded.StoredTypes, null);
        using var saved = SafetensorsFile.Open(Path.Combine(temp, "model.safetensors"));
        Assert.That(saved.Entries.Values.Select(e => e.DType), Is.All.EqualTo(stored));
        var reloaded = ModelCheckpoint.Load(temp).Model;
        foreach (var (name, tensor) in loaded.Model.Parameters)
            Assert.That(reloaded.Parameters[name].ToFloatArray(), Is.EqualTo(tensor.ToFloatArray()), name);
    }

    [Test]
    public void A_pickle_that_would_run_os_system_is_refused_without_running_it()
    {
        const string marker = "/tmp/rawedit-pickle-was-executed";
        File.Delete(marker);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(Fixture("malicious-os-system.bin")));
        Assert.That(e!.Message, Does.Contain("refusing pickle global 'posix.system'"));
        Assert.That(File.Exists(marker), Is.False);
    }

    // ---- hand-made archives ----

    private string Archive(byte[] pickle, params (string Name, byte[] Bytes)[] storages)
    {
        string path = Path.Combine(temp, $"crafted-{Guid.NewGuid():N}.bin");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            void Add(string name, byte[] bytes)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(bytes);
            }
            Add("archive/data.pkl", pickle);
            foreach (var (name, bytes) in storages) Add("archive/data/" + name, bytes);
        }
        return path;
    }

    private static byte[] Pickle(params object[] parts)
    {
        var bytes = new List<byte> { 0x80, 2 };
        foreach (var part in parts)
            bytes.AddRange(part switch { string s => Encoding.ASCII.GetBytes(s), byte b => [b], byte[] a => a, _ => throw new ArgumentException() });
        return bytes.ToArray();
    }

    private static byte[] Unicode(string s) => [(byte)'X', .. BitConverter.GetBytes(s.Length), .. Encoding.UTF8.GetBytes(s)];

    // {'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), offset, (size,), (1,), False, OrderedDict())}
    private static byte[] OneTensorPickle(long numel, long offset, long size) => Pickle(
        "}(", Unicode("w"), "ctorch._utils\n_rebuild_tensor_v2\n((", Unicode("storage"), "ctorch\nFloatStorage\n", Unicode("0"), Unicode("cpu"),
        "K", (byte)numel, "tQK", (byte)offset, "K", (byte)size, (byte)0x85, "K", (byte)1, (byte)0x85, (byte)0x89,
        "ccollections\nOrderedDict\n)RtRu.");

    [Test]
    public void A_hand_written_pickle_of_one_tensor_reads()
    {
        var values = new float[] { 1, 2, 3, 4 };
        using var checkpoint = PyTorchCheckpoint.Open(Archive(OneTensorPickle(4, 1, 3), ("0", values.SelectMany(BitConverter.GetBytes).ToArray())));
        Assert.That(checkpoint.ReadAsFloat32("w"), Is.EqualTo(new float[] { 2, 3, 4 }));
    }

    private static IEnumerable<TestCaseData> Hostile()
    {
        yield return new TestCaseData(Pickle("cbuiltins\neval\n(", Unicode("1+1"), "tR."), "refusing pickle global 'builtins.eval'").SetName("builtins.eval");
        yield return new TestCaseData(Pickle(Unicode("subprocess"), Unicode("Popen"), (byte)0x93, "."), "refusing pickle global 'subprocess.Popen'").SetName("STACK_GLOBAL subprocess.Popen");
        yield return new TestCaseData(Pickle("(ios\nsystem\n."), "unsupported pickle opcode 0x69 ('i')").SetName("INST opcode");
        yield return new TestCaseData(Pickle((byte)0xff), "unsupported pickle opcode 0xff").SetName("unknown opcode");
        yield return new TestCaseData(Pickle("ctorch\nFloatStorage\n)R."), "refusing to call 'torch.FloatStorage'").SetName("calling a storage type");
        yield return new TestCaseData(Pickle("}(", Unicode("w")), "pickle ends without STOP").SetName("no STOP");
        yield return new TestCaseData(Pickle("X", (byte)200, (byte)0, (byte)0, (byte)0, "ab"), "pickle is truncated").SetName("truncated string");
        yield return new TestCaseData(Pickle("}(", Unicode("w"), "K", (byte)1, "u."), "state-dict entry 'w' is not a tensor").SetName("non-tensor value");
        yield return new TestCaseData(Pickle("h", (byte)7, "."), "memo entry 7 was never stored").SetName("bad memo");
        yield return new TestCaseData(OneTensorPickle(4, 2, 3), "tensor view reaches element 4 of storage '0' that holds 4").SetName("view past its storage");
    }

    [TestCaseSource(nameof(Hostile))]
    public void A_hostile_or_malformed_pickle_is_refused_naming_the_problem(byte[] pickle, string message)
    {
        string path = Archive(pickle, ("0", new byte[16]));
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(path));
        Assert.That(e!.Message, Does.Contain(message));
        Assert.That(e.Message, Does.StartWith(path));
    }

    [Test]
    public void A_missing_or_wrongly_sized_storage_is_refused()
    {
        var missing = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(Archive(OneTensorPickle(4, 0, 4))));
        Assert.That(missing!.Message, Does.Contain("storage '0' of 'w' is missing from the archive"));
        var shortStorage = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(Archive(OneTensorPickle(4, 0, 4), ("0", new byte[12]))));
        Assert.That(shortStorage!.Message, Does.Contain("storage '0' of 'w' holds 12 bytes, its type and size need 16"));
    }

    [Test]
    public void Truncated_legacy_and_foreign_files_are_refused_with_clear_errors()
    {
        var whole = File.ReadAllBytes(Fixture("gpt2-f32/pytorch_model.bin"));
        string truncated = Path.Combine(temp, "truncated.bin"), legacy = Path.Combine(temp, "legacy.bin"), text = Path.Combine(temp, "text.bin");
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a]);
        File.WriteAllText(text, "version https://git-lfs.github.com/spec/v1\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(truncated))!.Message, Does.Contain("zip archive is truncated or corrupt"));
        Assert.That(Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(legacy))!.Message, Does.Contain("legacy (pre-zip, torch < 1.6)"));
        Assert.That(Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(text))!.Message, Does.Contain("not a PyTorch checkpoint"));
    }

    [Test]
    public void A_shard_holding_a_tensor_its_index_does_not_map_there_is_refused()
    {
        foreach (var file in Directory.GetFiles(Fixture("gptj-f16-sharded"))) File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
        string index = Path.Combine(temp, PyTorchCheckpoint.IndexFileName);
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"lm_head.bias\": \"pytorch_model-00002-of-00002.bin\"", "\"lm_head.bias\": \"pytorch_model-00001-of-00002.bin\""));
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Open(temp));
        Assert.That(e!.Message, Does.Contain("'lm_head.bias'"));
    }
}
