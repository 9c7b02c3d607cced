using System.IO.Compression;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Checkpoints.PyTorch;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>
/// Mutated <c>data.pkl</c> pickles (torch.save fixtures with bytes flipped, inserted, deleted or cut), repacked with
/// their original storages: each archive must open and read every floating-point tensor, or be refused with
/// <see cref="InvalidDataException"/>. Any other exception fails. Iteration i uses <c>new Random(BaseSeed + i)</c>.
/// </summary>
internal class PickleMutationFuzzTests
{
    private const int BaseSeed = 0x9C1E;
    private const int Iterations = 1500;

    private static string Fixture(string relative) => TestPaths.InRepo(Path.Combine("tests", "RawEdit.Tests", "Models", "Checkpoints", "Fixtures", "pytorch", relative));

    [Test]
    public void Mutated_pickles_either_read_completely_or_fail_with_InvalidDataException()
    {
        var seeds = new[] { "gptj-f16/pytorch_model.bin", "views.bin" }.Select(f => ReadArchive(Fixture(f))).ToArray();
        string temp = Directory.CreateTempSubdirectory("rawedit-pickle-fuzz-").FullName;
        int accepted = 0, rejected = 0;
        var failures = new List<string>();
        try
        {
            for (int i = 0; i < Iterations; i++)
            {
                var rng = new Random(BaseSeed + i);
                var (pickle, storages) = seeds[i % seeds.Length];
                string path = Path.Combine(temp, $"{i}.bin");
                WriteArchive(path, Mutate(pickle, rng), storages);
                try
                {
                    using var checkpoint = PyTorchCheckpoint.Open(path);
                    foreach (var name in checkpoint.Names)
                        if (checkpoint.DTypeOf(name).IsFloat32Convertible()) checkpoint.ReadAsFloat32(name);
                    accepted++;
                }
                catch (InvalidDataException) { rejected++; }
                catch (Exception e) { failures.Add($"iteration {i}: {e.GetType().Name}: {e.Message}"); }
                File.Delete(path);
            }
        }
        finally { Directory.Delete(temp, recursive: true); }
        TestContext.Out.WriteLine($"{Iterations} mutated pickles: {accepted} accepted, {rejected} rejected");
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
        Assert.That(accepted, Is.GreaterThan(Iterations / 100), "some mutations (e.g. in string contents) must still read");
        Assert.That(rejected, Is.GreaterThan(Iterations / 2));
    }

    private static byte[] Mutate(byte[] pickle, Random rng)
    {
        var bytes = pickle.ToList();
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits && bytes.Count > 2; e++)
        {
            int at = rng.Next(bytes.Count);
            switch (rng.Next(4))
            {
                case 0: bytes[at] = (byte)rng.Next(256); break;
                case 1: bytes.Insert(at, (byte)rng.Next(256)); break;
                case 2: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return bytes.ToArray();
    }

    private static (byte[] Pickle, (string Name, byte[] Bytes)[] Storages) ReadArchive(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        byte[] Read(ZipArchiveEntry entry)
        {
            using var s = entry.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
        var pickle = zip.Entries.Single(e => e.FullName.EndsWith("/data.pkl"));
        var storages = zip.Entries.Where(e => e.FullName.Contains("/data/")).Select(e => (e.FullName, Read(e))).ToArray();
        return (Read(pickle), storages.Select(s => ("archive/data/" + s.FullName[(s.FullName.LastIndexOf('/') + 1)..], s.Item2)).ToArray());
    }

    private static void WriteArchive(string path, byte[] pickle, (string Name, byte[] Bytes)[] storages)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in storages.Prepend(("archive/data.pkl", pickle)))
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
    }
}
