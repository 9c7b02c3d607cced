namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Writes safetensors files. Tensors are laid out sorted by name (UTF-8 byte order; the reference
/// implementation additionally groups by dtype first, which gives the same layout for a
/// single-dtype model) and the header is space-padded to a multiple of 8 bytes.
/// </summary>
internal static partial class SafetensorsWriter
{
    /// <summary>
    /// Writes a file atomically: the content goes to a temporary file in the same directory,
    /// is flushed to disk, then renamed over <paramref name="path"/>. If anything throws
    /// (including a source's factory), the previous file at <paramref name="path"/> is untouched.
    /// </summary>
    public static void Write(string path, IEnumerable<TensorWriteSource> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        PlatformCheck.RequireLittleEndian();
        var ordered = Order(tensors);
        using var staged = new StagedFiles();
        staged.Stage(path, stream => WriteContent(stream, ordered, metadata));
        staged.Commit();
    }

    /// <summary>Writes the file content to a stream (no atomicity; for in-memory use).</summary>
    public static void Write(Stream destination, IEnumerable<TensorWriteSource> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        PlatformCheck.RequireLittleEndian();
        WriteContent(destination, Order(tensors), metadata);
    }

    /// <summary>Convenience: the complete file as a byte array.</summary>
    public static byte[] ToBytes(IEnumerable<TensorWriteSource> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var buffer = new MemoryStream();
        Write(buffer, tensors, metadata);
        return buffer.ToArray();
    }

    private static List<TensorWriteSource> Order(IEnumerable<TensorWriteSource> tensors) =>
        SortByName(Materialize(tensors));

    private static List<TensorWriteSource> SortByName(List<TensorWriteSource> tensors)
    {
        var sorted = new List<TensorWriteSource>(tensors);
        sorted.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        return sorted;
    }

    /// <summary>Enumerates the caller's sequence exactly once, in its order, rejecting duplicate names.</summary>
    private static List<TensorWriteSource> Materialize(IEnumerable<TensorWriteSource> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<TensorWriteSource>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor, nameof(tensors));
            if (!names.Add(tensor.Name))
            {
                throw new ArgumentException($"Tensor name '{tensor.Name}' appears more than once.", nameof(tensors));
            }
            list.Add(tensor);
        }
        return list;
    }

    private static void WriteContent(Stream stream, IReadOnlyList<TensorWriteSource> ordered,
        IReadOnlyDictionary<string, string>? metadata)
    {
        stream.Write(SafetensorsHeaderWriter.Build(ordered, metadata));
        byte[]? scratch = null;
        foreach (var tensor in ordered)
        {
            tensor.WriteData(stream, ref scratch);
        }
    }
}
