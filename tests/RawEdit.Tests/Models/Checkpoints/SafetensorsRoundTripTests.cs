using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Models.Checkpoints;

internal class SafetensorsRoundTripTests
{
    private static float[] Ramp(int count, float scale) =>
        Enumerable.Range(0, count).Select(i => (i - count / 2) * scale + 0.123f).ToArray();

    [Test]
    public void FloatTensorsAndMetadataRoundTripThroughAFile()
    {
        using var dir = new ScratchDirectory();
        string path = dir.File("model.safetensors");
        var f32 = Ramp(37, 0.37f);
        var f16 = Ramp(2 * 33, 0.11f);
        var bf16 = Ramp(5 * 7, 1.7f);
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "quote \" and \\ and \n" };

        SafetensorsWriter.Write(path, new[]
        {
            TensorWriteSource.FromFloat32("z.f32", TensorDType.F32, new long[] { 37 }, f32),
            TensorWriteSource.FromFloat32("a.f16", TensorDType.F16, new long[] { 2, 33 }, f16),
            TensorWriteSource.FromFloat32("m.bf16", TensorDType.BF16, new long[] { 5, 7 }, bf16),
        }, metadata);

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Entries.Keys, Is.EquivalentTo(new[] { "z.f32", "a.f16", "m.bf16" }));
        Assert.That(file.Metadata, Is.EqualTo(metadata));
        Assert.That(file.GetEntry("a.f16").DType, Is.EqualTo(TensorDType.F16));
        Assert.That(file.GetEntry("a.f16").Shape, Is.EqualTo(new long[] { 2, 33 }));
        Assert.That(file.GetEntry("m.bf16").Shape, Is.EqualTo(new long[] { 5, 7 }));
        Assert.That(file.ReadAsFloat32("z.f32"), Is.EqualTo(f32));

        var f16Back = file.ReadAsFloat32("a.f16");
        var bf16Back = file.ReadAsFloat32("m.bf16");
        for (int i = 0; i < f16.Length; i++)
        {
            // F16 keeps 11 significant bits, BF16 keeps 8: relative error at most 2^-11 and 2^-8.
            Assert.That(f16Back[i], Is.EqualTo(f16[i]).Within(Math.Abs(f16[i]) * 0.0005f + 1e-7f), $"f16[{i}]");
        }
        for (int i = 0; i < bf16.Length; i++)
        {
            Assert.That(bf16Back[i], Is.EqualTo(bf16[i]).Within(Math.Abs(bf16[i]) * 0.004f), $"bf16[{i}]");
        }
    }

    [Test]
    public void LayoutIsSortedByNameWithAnEightBytePaddedHeader()
    {
        byte[] bytes = SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromFloat32("b", TensorDType.F32, new long[] { 3 }, new float[3]),
            TensorWriteSource.FromFloat32("a", TensorDType.F16, new long[] { 1 }, new float[1]),
            TensorWriteSource.FromFloat32("c", TensorDType.BF16, new long[] { 2 }, new float[2]),
        });
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(headerLength % 8, Is.EqualTo(0UL));

        using var file = SafetensorsFile.FromMemory(bytes);
        var byOffset = file.Entries.Values.OrderBy(e => e.DataBegin).Select(e => e.Name);
        Assert.That(byOffset, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(file.DataSectionOffset, Is.EqualTo(8 + (long)headerLength));
        Assert.That(file.FileLength, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void ScalarsEmptyTensorsAndIntegersRoundTrip()
    {
        var ids = new long[] { -5, 0, long.MaxValue, 42 };
        var small = new int[] { -7, 1 << 30, 3 };
        byte[] bytes = SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromFloat32("scalar", TensorDType.F32, Array.Empty<long>(), new[] { 2.5f }),
            TensorWriteSource.FromFloat32("empty", TensorDType.F16, new long[] { 0, 3 }, Array.Empty<float>()),
            TensorWriteSource.FromRaw("ids", TensorDType.I64, new long[] { 4 }, MemoryMarshal.AsBytes(ids.AsSpan()).ToArray()),
            TensorWriteSource.FromRaw("small", TensorDType.I32, new long[] { 3 }, MemoryMarshal.AsBytes(small.AsSpan()).ToArray()),
            TensorWriteSource.FromRaw("mask", TensorDType.Bool, new long[] { 3 }, new byte[] { 1, 0, 1 }),
        });

        using var file = SafetensorsFile.FromMemory(bytes);
        Assert.That(file.ReadAsFloat32("scalar"), Is.EqualTo(new[] { 2.5f }));
        Assert.That(file.GetEntry("scalar").Rank, Is.EqualTo(0));
        Assert.That(file.ReadAsFloat32("empty"), Is.Empty);
        Assert.That(file.ReadAsInt64("ids"), Is.EqualTo(ids));
        Assert.That(file.ReadAsInt64("small"), Is.EqualTo(small.Select(v => (long)v)));
        Assert.That(file.ReadAsInt32("small"), Is.EqualTo(small));
        Assert.That(file.ReadAsInt32("mask"), Is.EqualTo(new[] { 1, 0, 1 }));
        Assert.That(() => file.ReadAsInt32("ids"), Throws.InvalidOperationException.With.Message.Contains("I64"));
        Assert.That(() => file.ReadAsFloat32("ids"), Throws.InvalidOperationException.With.Message.Contains("ReadAsFloat32"));
        Assert.That(() => file.RawBytes("missing"), Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("'missing'"));
    }

    [Test]
    public void SpanAndChunkedReadsMatchTheWholeTensor()
    {
        var values = Ramp(1000, 0.01f);
        byte[] bytes = SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromFloat32("w", TensorDType.BF16, new long[] { 10, 100 }, values),
        });
        using var file = SafetensorsFile.FromMemory(bytes);
        var whole = file.ReadAsFloat32("w");

        var viaSpan = new float[1000];
        file.ReadAsFloat32("w", viaSpan);
        Assert.That(viaSpan, Is.EqualTo(whole));

        var chunk = new float[77];
        file.ReadAsFloat32("w", 900, chunk);
        Assert.That(chunk, Is.EqualTo(whole.Skip(900).Take(77)));

        Assert.That(() => file.ReadAsFloat32("w", new float[999]), Throws.ArgumentException);
        Assert.That(() => file.ReadAsFloat32("w", 950, new float[51]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(file.RawBytes("w").Length, Is.EqualTo(2000));
        Assert.That(file.RawMemory("w").ToArray(), Is.EqualTo(file.RawBytes("w").ToArray()));
    }

    [Test]
    public void AllHalfBitPatternsConvertExactlyIncludingTheScalarTail()
    {
        // 65536 patterns plus 3 extra so both the vector loop and the scalar tail are exercised.
        var bits = Enumerable.Range(0, 65536 + 3).Select(i => (ushort)i).ToArray();
        byte[] bytes = SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromRaw("h", TensorDType.F16, new long[] { bits.Length }, MemoryMarshal.AsBytes(bits.AsSpan()).ToArray()),
        });
        using var file = SafetensorsFile.FromMemory(bytes);
        var floats = file.ReadAsFloat32("h");
        for (int i = 0; i < bits.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(bits[i]);
            if (float.IsNaN(expected))
            {
                Assert.That(float.IsNaN(floats[i]), $"0x{bits[i]:X4} should stay NaN");
            }
            else if (BitConverter.SingleToInt32Bits(floats[i]) != BitConverter.SingleToInt32Bits(expected))
            {
                Assert.Fail($"0x{bits[i]:X4}: got {floats[i]:R}, expected {expected:R}");
            }
        }
    }

    [Test]
    public void AllBFloat16BitPatternsWidenExactly()
    {
        var bits = Enumerable.Range(0, 65536 + 5).Select(i => (ushort)i).ToArray();
        using var file = SafetensorsFile.FromMemory(SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromRaw("b", TensorDType.BF16, new long[] { bits.Length }, MemoryMarshal.AsBytes(bits.AsSpan()).ToArray()),
        }));
        var floats = file.ReadAsFloat32("b");
        var expected = bits.Select(b => (uint)b << 16).ToArray();
        Assert.That(floats.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(expected));
    }

    [Test]
    public void Float64IsNarrowedLikeACast()
    {
        var doubles = Enumerable.Range(0, 101).Select(i => Math.Sin(i) * Math.Pow(10, i % 7 - 3)).Append(1e300).Append(-1e-300).ToArray();
        using var file = SafetensorsFile.FromMemory(SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromRaw("d", TensorDType.F64, new long[] { doubles.Length }, MemoryMarshal.AsBytes(doubles.AsSpan()).ToArray()),
        }));
        Assert.That(file.ReadAsFloat32("d"), Is.EqualTo(doubles.Select(d => (float)d)));
    }

    [Test]
    public void BFloat16EncodingRoundsToNearestEven()
    {
        var random = new Random(1234);
        var values = Enumerable.Range(0, 4099).Select(_ => BitConverter.Int32BitsToSingle(random.Next()) * (random.Next(2) * 2 - 1))
            .Where(float.IsFinite)
            .Concat(new[] { 0f, -0f, 1f, float.MaxValue, float.Epsilon, 1.00390625f, 1.01171875f, float.PositiveInfinity, float.NegativeInfinity })
            .ToArray();
        using var file = SafetensorsFile.FromMemory(SafetensorsWriter.ToBytes(new[]
        {
            TensorWriteSource.FromFloat32("b", TensorDType.BF16, new long[] { values.Length }, values),
        }));
        var back = file.ReadAsFloat32("b");
        for (int i = 0; i < values.Length; i++)
        {
            Assert.That(IsNearestEvenBFloat16(values[i], back[i]), $"{values[i]:R} encoded as {back[i]:R}");
        }
    }

    [Test]
    public void BFloat16AndHalfEncodingKeepNaN()
    {
        var values = new[] { float.NaN, BitConverter.UInt32BitsToSingle(0x7F800001), BitConverter.UInt32BitsToSingle(0xFFFFFFFF) };
        foreach (var dtype in new[] { TensorDType.BF16, TensorDType.F16 })
        {
            using var file = SafetensorsFile.FromMemory(SafetensorsWriter.ToBytes(new[]
            {
                TensorWriteSource.FromFloat32("n", dtype, new long[] { 3 }, values),
            }));
            Assert.That(file.ReadAsFloat32("n").All(float.IsNaN), dtype.ToString());
        }
    }

    [Test]
    public void UnalignedDataSectionReadsCorrectly()
    {
        // A 13-byte-padded header puts the data on an odd address, exercising unaligned vector loads.
        var halves = Enumerable.Range(0, 41).Select(i => (Half)(i * 0.25f)).ToArray();
        var floats = Enumerable.Range(0, 19).Select(i => i * 1.5f).ToArray();
        byte[] data = MemoryMarshal.AsBytes(halves.AsSpan()).ToArray().Concat(MemoryMarshal.AsBytes(floats.AsSpan()).ToArray()).ToArray();
        string header = "{" + RawSafetensors.Entry("h", "F16", "[41]", 0, 82) + "," + RawSafetensors.Entry("f", "F32", "[19]", 82, 158) + "}";
        header += header.Length % 2 == 0 ? " " : "";
        byte[] bytes = RawSafetensors.Build(header, data, padTo: 1);

        using var file = SafetensorsFile.FromMemory(bytes);
        Assert.That(file.ReadAsFloat32("h"), Is.EqualTo(halves.Select(h => (float)h)));
        Assert.That(file.ReadAsFloat32("f"), Is.EqualTo(floats));
    }

    [Test]
    public void WriterRejectsInconsistentSources()
    {
        Assert.That(() => TensorWriteSource.FromFloat32("x", TensorDType.F32, new long[] { 4 }, new float[3]),
            Throws.InvalidOperationException.With.Message.Contains("expects 4 values"));
        Assert.That(() => TensorWriteSource.FromRaw("x", TensorDType.F16, new long[] { 4 }, new byte[7]),
            Throws.InvalidOperationException.With.Message.Contains("expects 8 bytes"));
        Assert.That(() => TensorWriteSource.FromFloat32("x", TensorDType.I32, new long[] { 1 }, new float[1]),
            Throws.ArgumentException);
        Assert.That(() => TensorWriteSource.FromFloat32("x", TensorDType.F32, new long[] { -1 }, () => Array.Empty<float>()),
            Throws.ArgumentException.With.Message.Contains("negative"));
        Assert.That(() => TensorWriteSource.FromFloat32("__metadata__", TensorDType.F32, new long[] { 0 }, Array.Empty<float>()),
            Throws.ArgumentException);
        var twice = new[]
        {
            TensorWriteSource.FromFloat32("x", TensorDType.F32, new long[] { 1 }, new float[1]),
            TensorWriteSource.FromFloat32("x", TensorDType.F32, new long[] { 1 }, new float[1]),
        };
        Assert.That(() => SafetensorsWriter.ToBytes(twice), Throws.ArgumentException.With.Message.Contains("more than once"));
    }

    /// <summary>Independent oracle: the result must be the closer of the two BF16 neighbours, ties to even mantissa.</summary>
    private static bool IsNearestEvenBFloat16(float x, float encoded)
    {
        if (!float.IsFinite(x))
        {
            return encoded.Equals(x);
        }
        uint truncated = BitConverter.SingleToUInt32Bits(x) & 0xFFFF0000;
        float below = BitConverter.UInt32BitsToSingle(truncated);
        float above = BitConverter.UInt32BitsToSingle(truncated + 0x10000);
        double distBelow = Math.Abs((double)x - below);
        double distAbove = float.IsInfinity(above) ? Math.Abs((double)x - Math.CopySign(Math.Pow(2, 128), x)) : Math.Abs((double)x - above);
        float expected = distBelow < distAbove ? below
            : distAbove < distBelow ? above
            : ((truncated >> 16) & 1) == 0 ? below : above;
        return BitConverter.SingleToUInt32Bits(encoded) == BitConverter.SingleToUInt32Bits(expected);
    }
}
