using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>
/// Thousands of mutated files, each of which must either open and read every tensor completely
/// or be refused with <see cref="InvalidDataException"/>. Any other exception, or a hang, fails.
/// Iteration i uses <c>new Random(BaseSeed + i)</c>, so a failure is reproducible from its number.
/// </summary>
internal class SafetensorsMutationFuzzTests
{
    private const int BaseSeed = 0x5AFE;
    private const int Iterations = 5000;
    private const int FileBackedEvery = 25;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Test]
    public void MutatedFilesEitherReadCompletelyOrFailWithInvalidDataException()
    {
        var seeds = SeedFiles();
        var stopwatch = Stopwatch.StartNew();
        var run = Task.Run(() => Fuzz(seeds));
        Assert.That(run.Wait(HangGuard), Is.True, $"fuzzing did not finish within {HangGuard}: an open or read may hang");
        stopwatch.Stop();
        var report = run.Result;

        TestContext.Out.WriteLine(
            $"{Iterations} mutated files in {stopwatch.Elapsed.TotalSeconds:F2} s: {report.Accepted} accepted, {report.Rejected} rejected, {report.Distinct} distinct, {report.FileBacked} also opened from disk");
        Assert.That(report.Failures, Is.Empty, string.Join("\n\n", report.Failures.Take(10)));
        // Both outcomes must occur, otherwise the mutations are too weak or too destructive to mean much.
        Assert.That(report.Accepted, Is.GreaterThan(Iterations / 100));
        Assert.That(report.Rejected, Is.GreaterThan(Iterations / 2));
        Assert.That(report.Distinct, Is.GreaterThan(Iterations * 8 / 10), "mutations should rarely repeat a file");
    }

    [Test]
    public void SeedFilesAreValid()
    {
        foreach (var seed in SeedFiles())
        {
            Assert.That(Check(seed, "seed"), Is.True);
        }
    }

    private sealed record FuzzReport(int Accepted, int Rejected, int FileBacked, int Distinct, List<string> Failures);

    private static FuzzReport Fuzz(byte[][] seeds)
    {
        int accepted = 0, rejected = 0, fileBacked = 0;
        var failures = new List<string>();
        var seen = new HashSet<string>();
        using var scratch = new ScratchDirectory();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var random = new Random(BaseSeed + iteration);
            var log = new List<string>();
            int seedIndex = random.Next(seeds.Length);
            byte[] bytes = seeds[seedIndex];
            int rounds = 1 + random.Next(3);
            for (int i = 0; i < rounds; i++)
            {
                bytes = SafetensorsMutator.Mutate(bytes, random, log);
            }
            seen.Add(Convert.ToHexString(SHA256.HashData(bytes)));

            string context = $"iteration {iteration} (Random seed {BaseSeed + iteration}), seed file {seedIndex}, mutations: {string.Join("; ", log)}";
            try
            {
                bool ok = Check(bytes, "fuzz");
                if (ok) accepted++; else rejected++;
                if (iteration % FileBackedEvery == 0)
                {
                    // Same bytes through the memory-mapped path must give the same verdict.
                    string path = scratch.File($"fuzz-{iteration}.safetensors");
                    File.WriteAllBytes(path, bytes);
                    bool fromDisk = CheckFile(path);
                    File.Delete(path);
                    fileBacked++;
                    if (fromDisk != ok)
                    {
                        failures.Add($"{context}\nmemory verdict {ok} but file verdict {fromDisk}");
                    }
                }
            }
            catch (Exception e)
            {
                failures.Add($"{context}\n{e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
            }
        }
        return new FuzzReport(accepted, rejected, fileBacked, seen.Count, failures);
    }

    /// <summary>True if the file opened and every tensor read back fully; false if refused as invalid data.</summary>
    private static bool Check(byte[] bytes, string name)
    {
        try
        {
            using var file = SafetensorsFile.FromMemory(bytes, name);
            ReadEverything(file);
            return true;
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(name + ": ", StringComparison.Ordinal))
        {
            return false;
        }
    }

    private static bool CheckFile(string path)
    {
        try
        {
            using var file = SafetensorsFile.Open(path);
            ReadEverything(file);
            return true;
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(path + ": ", StringComparison.Ordinal))
        {
            return false;
        }
    }

    private static void ReadEverything(SafetensorsFile file)
    {
        long dataLength = file.FileLength - file.DataSectionOffset;
        foreach (var entry in file.Entries.Values)
        {
            long count = entry.Shape.Aggregate(1L, (a, b) => a * b);
            if (count != entry.ElementCount
                || entry.ByteLength != entry.ElementCount * entry.DType.ByteSize()
                || entry.DataBegin < 0 || entry.DataEnd > dataLength
                || entry.FileOffset + entry.ByteLength > file.FileLength)
            {
                throw new InvalidOperationException($"accepted entry breaks invariants: {entry} [{entry.DataBegin}, {entry.DataEnd}) of {dataLength}");
            }
            long read = entry.DType switch
            {
                _ when entry.DType.IsFloat32Convertible() => file.ReadAsFloat32(entry.Name).Length,
                _ when entry.DType.IsInt64Convertible() => file.ReadAsInt64(entry.Name).Length,
                _ => file.RawBytes(entry.Name).Length / entry.DType.ByteSize(),
            };
            if (read != entry.ElementCount)
            {
                throw new InvalidOperationException($"read {read} elements of '{entry.Name}', header declares {entry.ElementCount}");
            }
        }
    }

    private static byte[][] SeedFiles()
    {
        static TensorWriteSource F(string name, TensorDType dtype, params long[] shape) =>
            TensorWriteSource.FromFloat32(name, dtype, shape,
                Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => i * 0.5f - 3f).ToArray());
        static TensorWriteSource Raw<T>(string name, TensorDType dtype, T[] values) where T : struct =>
            TensorWriteSource.FromRaw(name, dtype, new long[] { values.Length }, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        var mixed = SafetensorsWriter.ToBytes(new[]
        {
            F("w.f32", TensorDType.F32, 3, 4), F("w.f16", TensorDType.F16, 5), F("w.bf16", TensorDType.BF16, 2, 2, 2),
            F("scalar", TensorDType.F32), F("empty", TensorDType.F16, 0, 2),
            Raw("ids", TensorDType.I64, new long[] { 1, -2, 3 }), Raw("pos", TensorDType.I32, new[] { 4, 5 }),
            Raw("mask", TensorDType.Bool, new byte[] { 1, 0, 1, 1 }), Raw("bytes", TensorDType.U8, new byte[] { 9, 8, 7 }),
            Raw("d", TensorDType.F64, new[] { 1.0, -2.5 }),
        }, new Dictionary<string, string> { ["format"] = "pt", ["source"] = "fuzz seed" });

        var gptLike = SafetensorsWriter.ToBytes(new[]
        {
            F("transformer.wte.weight", TensorDType.F32, 11, 4), F("transformer.wpe.weight", TensorDType.F32, 6, 4),
            F("transformer.h.0.attn.c_attn.weight", TensorDType.F32, 4, 12), F("transformer.h.0.attn.c_attn.bias", TensorDType.F32, 12),
            F("transformer.ln_f.weight", TensorDType.F32, 4),
        }, new Dictionary<string, string> { ["format"] = "pt" });

        string unalignedHeader = "{" + RawSafetensors.Entry("h", "F16", "[3]", 0, 6) + "," + RawSafetensors.Entry("f", "F32", "[2]", 6, 14) + "}";
        var unaligned = RawSafetensors.Build(unalignedHeader, new byte[14], padTo: 1);

        var metadataOnly = SafetensorsWriter.ToBytes(Array.Empty<TensorWriteSource>(), new Dictionary<string, string> { ["k"] = "v" });
        return new[] { mixed, gptLike, unaligned, metadataOnly };
    }
}
