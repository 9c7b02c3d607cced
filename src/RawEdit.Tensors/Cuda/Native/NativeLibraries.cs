using System.Runtime.InteropServices;

namespace RawEdit.Tensors.Cuda.Native;

/// <summary>Loads the first of several candidate shared libraries and resolves exports with errors that name them.</summary>
internal static class NativeLibraries
{
    /// <summary>The handle of the first candidate that loads, or null with the names tried.</summary>
    public static nint? TryLoad(IEnumerable<string> candidates, out string tried)
    {
        var names = candidates.ToList();
        tried = string.Join(", ", names);
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        return null;
    }

    public static nint Export(nint library, string libraryName, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out var address)
            ? address
            : throw new EntryPointNotFoundException($"{libraryName} has no export '{symbol}' (too old a version?)");
}
