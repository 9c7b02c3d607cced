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

    /// <summary>
    /// The first candidate that loads, bound by <paramref name="bind"/> (which resolves its exports), or null with the
    /// reason: <paramref name="notFound"/> given the names tried, or the missing export's message.
    /// </summary>
    public static T? TryBind<T>(IEnumerable<string> candidates, Func<nint, T> bind, Func<string, string> notFound, out string? reason) where T : class
    {
        var lib = TryLoad(candidates, out var tried);
        if (lib is null)
        {
            reason = notFound(tried);
            return null;
        }
        try
        {
            reason = null;
            return bind(lib.Value);
        }
        catch (EntryPointNotFoundException e)
        {
            reason = e.Message;
            return null;
        }
    }

    public static nint Export(nint library, string libraryName, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out var address)
            ? address
            : throw new EntryPointNotFoundException($"{libraryName} has no export '{symbol}' (too old a version?)");
}
