using System.Buffers.Binary;
using System.Text;
using RawEdit.Models.Checkpoints;
using static RawEdit.Tests.Models.Checkpoints.RawSafetensors;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>One hand-made malformed file per validation rule, each with the message fragment it must produce.</summary>
internal class MalformedSafetensorsTests
{
    private const string Name = "case.safetensors";

    private static byte[] Header(string json, int dataLength) => Build(json, new byte[dataLength]);

    private static byte[] WithDeclaredLength(ulong declared)
    {
        var bytes = Build("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
        return bytes;
    }

    private static readonly string Ok = Entry("a", "F32", "[2]", 0, 8);

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string rule, byte[] bytes, string fragment) =>
            new TestCaseData(bytes, fragment).SetName($"Rejects {rule}");

        yield return Case("an empty file", Array.Empty<byte>(), "file is 0 bytes, shorter than the 8-byte header length prefix");
        yield return Case("a 7-byte file", new byte[7], "file is 7 bytes, shorter than the 8-byte");
        yield return Case("a huge header length", WithDeclaredLength(ulong.MaxValue), "header length 18446744073709551615 exceeds the limit");
        yield return Case("a header just above the cap", WithDeclaredLength(100_000_001), "exceeds the limit of 100000000 bytes");
        yield return Case("a header length one past EOF", WithDeclaredLength(9), "header length 9 runs past the end of the file (16 bytes)");
        yield return Case("a zero header length", WithDeclaredLength(0), "header must be a JSON object starting with '{'");
        yield return Case("invalid UTF-8", BuildFromHeaderBytes(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' }), "header is not valid UTF-8");
        yield return Case("a JSON array header", Build("[]"), "header must be a JSON object starting with '{'");
        yield return Case("leading whitespace", Build(" {}"), "starting with '{'");
        yield return Case("broken JSON", Build("{\"a\":"), "header is not valid JSON");
        yield return Case("JSON comments", Build("{/* c */}"), "header is not valid JSON");
        yield return Case("content after the object", Build("{} {}"), "header is not valid JSON");
        yield return Case("a non-object entry", Build("{\"a\":5}"), "tensor 'a' must be a JSON object, found a number");
        yield return Case("a missing dtype", Header("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'a' is missing field 'dtype'");
        yield return Case("a missing shape", Header("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "tensor 'a' is missing field 'shape'");
        yield return Case("missing data_offsets", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor 'a' is missing field 'data_offsets'");
        yield return Case("a numeric dtype", Header("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "field 'dtype' must be a string, found a number");
        yield return Case("an object shape", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,8]}}", 8), "field 'shape' must be an array, found an object");
        yield return Case("a string dimension", Header("{" + Entry("a", "F32", "[\"2\"]", 0, 8) + "}", 8), "field 'shape' must hold integers, found a string");
        yield return Case("a fractional dimension", Header("{" + Entry("a", "F32", "[2.5]", 0, 8) + "}", 8), "not an integer in the 64-bit range");
        yield return Case("a dimension beyond 64 bits", Header("{" + Entry("a", "F32", "[1e30]", 0, 8) + "}", 8), "not an integer in the 64-bit range");
        yield return Case("three data offsets", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", 8), "must hold exactly 2 integers, found 3");
        yield return Case("an unknown dtype", Header("{" + Entry("a", "F99", "[2]", 0, 8) + "}", 8), "unknown or unsupported dtype 'F99'");
        yield return Case("a lower-case dtype", Header("{" + Entry("a", "f32", "[2]", 0, 8) + "}", 8), "unknown or unsupported dtype 'f32'");
        yield return Case("a negative dimension", Header("{" + Entry("a", "F32", "[-2]", 0, 8) + "}", 8), "negative dimension -2");
        yield return Case("a negative offset", Header("{" + Entry("a", "F32", "[2]", -8, 0) + "}", 8), "negative data offset -8");
        yield return Case("an element count overflow", Header("{" + Entry("a", "F32", "[4294967296,4294967296]", 0, 8) + "}", 8), "element count overflows");
        yield return Case("an overflow hidden by a later zero", Header("{" + Entry("a", "F32", "[4294967296,4294967296,0]", 0, 0) + "}", 0), "element count overflows");
        yield return Case("a byte length overflow", Header("{" + Entry("a", "F64", "[4611686018427387904]", 0, 8) + "}", 8), "byte length overflows");
        yield return Case("a size mismatch", Header("{" + Entry("a", "F32", "[3]", 0, 8) + "}", 8), "byte length 8 does not match 12 = 3 elements x 4 bytes (F32)");
        yield return Case("begin after end", Header("{" + Entry("a", "F32", "[0]", 8, 0) + "}", 8), "begin offset 8 is greater than end offset 0");
        yield return Case("offsets outside the data", Header("{" + Entry("a", "F32", "[2]", 0, 8) + "}", 4), "offsets [0, 8] lie outside the data section of 4 bytes");
        yield return Case("overlapping tensors", Header("{" + Ok + "," + Entry("b", "F32", "[1]", 4, 8) + "}", 8), "tensor 'b' [4, 8] overlaps tensor 'a' [0, 8]");
        yield return Case("a gap between tensors", Header("{" + Ok + "," + Entry("b", "F32", "[1]", 12, 16) + "}", 16), "gap of 4 unreferenced bytes before tensor 'b' at data offset 8");
        yield return Case("a gap at the start", Header("{" + Entry("a", "F32", "[1]", 4, 8) + "}", 8), "gap of 4 unreferenced bytes before tensor 'a' at data offset 0");
        yield return Case("trailing data bytes", Header("{" + Ok + "}", 12), "data section has 4 trailing bytes not covered by any tensor");
        yield return Case("data with no tensors", Header("{}", 1), "data section has 1 trailing bytes");
        yield return Case("a duplicate tensor key", Header("{" + Ok + "," + Ok + "}", 8), "duplicate key 'a' in header");
        yield return Case("a duplicate key spelled with an escape", Header("{" + Ok + ",\"\\u0061\":{}}", 8), "duplicate key 'a' in header");
        yield return Case("a duplicate field", Header("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'a' has duplicate field 'dtype'");
        yield return Case("array metadata", Build("{\"__metadata__\":[]}"), "'__metadata__' must be a JSON object of strings, found an array");
        yield return Case("a numeric metadata value", Build("{\"__metadata__\":{\"k\":1}}"), "'__metadata__' value for 'k' must be a string, found a number");
        yield return Case("a duplicate metadata key", Build("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), "duplicate key 'k' in '__metadata__'");
        yield return Case("a duplicate metadata object", Build("{\"__metadata__\":{},\"__metadata__\":{}}"), "duplicate key '__metadata__' in header");
        yield return Case("a lone surrogate escape in a key", Build("{\"\\ud800\":{}}"), "header is not valid JSON");
        yield return Case("a lone surrogate escape in metadata", Build("{\"__metadata__\":{\"k\":\"\\udc00\"}}"), "header is not valid JSON");
        yield return Case("nesting beyond the depth limit", Header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":"
            + new string('[', 1000) + new string(']', 1000) + "}}", 8), "header is not valid JSON");
    }

    [TestCaseSource(nameof(Cases))]
    public void MalformedFileIsRejectedWithAClearMessage(byte[] bytes, string fragment)
    {
        Assert.That(() => SafetensorsFile.FromMemory(bytes, Name), Throws.TypeOf<InvalidDataException>()
            .With.Message.StartsWith(Name + ": ").And.Message.Contains(fragment));
    }

    [Test]
    public void FileBasedOpenNamesThePathForAnEmptyAndATruncatedFile()
    {
        using var dir = new ScratchDirectory();
        string empty = dir.File("empty.safetensors");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        Assert.That(() => SafetensorsFile.Open(empty), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains(empty).And.Message.Contains("shorter than the 8-byte"));

        string truncated = dir.File("truncated.safetensors");
        var good = SafetensorsWriter.ToBytes(new[] { TensorWriteSource.FromFloat32("a", TensorDType.F32, new long[] { 4 }, new float[4]) });
        File.WriteAllBytes(truncated, good[..^3]);
        Assert.That(() => SafetensorsFile.Open(truncated), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains(truncated).And.Message.Contains("outside the data section"));
    }

    [TestCase("{}", 0)]
    [TestCase("{\"__metadata__\":null}", 0)]
    [TestCase("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":{\"nested\":[1,2]}}}", 8)]
    [TestCase("{\"z\":{\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[0,1]}}", 1)]
    [TestCase("{\"a\":{\"data_offsets\":[0,8],\"shape\":[1,2],\"dtype\":\"F32\"}}\t\n  ", 8)]
    public void UnusualButValidHeadersAreAccepted(string json, int dataLength)
    {
        using var file = SafetensorsFile.FromMemory(Build(json, new byte[dataLength]), Name);
        Assert.That(file.Entries.Values.Sum(e => e.ByteLength), Is.EqualTo(dataLength));
    }

    [Test]
    public void NonAsciiNamesSurviveARoundTrip()
    {
        string name = "emb\u00e9dding.\u6f22\u5b57.\"q\"\n";
        var bytes = SafetensorsWriter.ToBytes(new[] { TensorWriteSource.FromFloat32(name, TensorDType.F32, new long[] { 1 }, new[] { 4f }) });
        Assert.That(Encoding.UTF8.GetString(bytes), Does.Contain("emb\u00e9dding.\u6f22\u5b57.\\\"q\\\"\\n"));
        using var file = SafetensorsFile.FromMemory(bytes);
        Assert.That(file.ReadAsFloat32(name), Is.EqualTo(new[] { 4f }));
    }
}
