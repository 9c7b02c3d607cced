using System.Buffers.Binary;
using System.Text;

namespace RawEdit.Tests.Models.Checkpoints;

/// <summary>A unique scratch folder under the system temp directory, deleted on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rawedit-checkpoints-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] FileNames() =>
        Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Builds raw safetensors bytes from hand-written header text, bypassing the writer.</summary>
internal static class RawSafetensors
{
    /// <summary>Length prefix + header text (space-padded to <paramref name="padTo"/>) + data.</summary>
    public static byte[] Build(string headerJson, byte[]? data = null, ulong? declaredHeaderLength = null, int padTo = 8)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        return BuildFromHeaderBytes(header, data, declaredHeaderLength, padTo);
    }

    public static byte[] BuildFromHeaderBytes(byte[] header, byte[]? data = null, ulong? declaredHeaderLength = null, int padTo = 8)
    {
        data ??= Array.Empty<byte>();
        int padded = padTo <= 1 ? header.Length : (header.Length + padTo - 1) / padTo * padTo;
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredHeaderLength ?? (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }

    /// <summary>A JSON tensor entry, for concise header literals in tests.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";
}
