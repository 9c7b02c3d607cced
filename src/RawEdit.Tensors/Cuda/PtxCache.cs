using System.Security.Cryptography;
using System.Text;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// Compiled PTX on disk, keyed by SHA-256 of (source, compiler options, compiler version), so each kernel set is
/// compiled once per machine and architecture. Files are written to a temporary name and renamed, so a reader never
/// sees half a file; an entry that does not look like PTX (cut short, or not ours) is compiled again and replaced.
/// Folder: RAWEDIT_CUDA_CACHE, else $XDG_CACHE_HOME/rawedit/cuda, else ~/.cache/rawedit/cuda.
/// </summary>
public sealed class PtxCache(string folder, Func<string, IReadOnlyList<string>, string> compile, string compilerVersion)
{
    public const string FolderVariable = "RAWEDIT_CUDA_CACHE";

    public string Folder { get; } = folder;

    /// <summary>How many compiles this cache has run (hits do not count).</summary>
    public int Compiles { get; private set; }

    public static string DefaultFolder()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } explicitFolder) return explicitFolder;
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "rawedit", "cuda");
    }

    public string PathFor(string source, IReadOnlyList<string> options)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"{compilerVersion}\n{string.Join('\n', options)}\n\n{source}"));
        return Path.Combine(Folder, Convert.ToHexStringLower(key) + ".ptx");
    }

    public string GetOrCompile(string source, IReadOnlyList<string> options)
    {
        var path = PathFor(source, options);
        if (File.Exists(path))
        {
            var cached = File.ReadAllText(path);
            if (LooksLikePtx(cached)) return cached;
        }
        var ptx = compile(source, options);
        Compiles++;
        if (!LooksLikePtx(ptx)) throw new InvalidOperationException("the CUDA compiler returned something that is not PTX");
        Directory.CreateDirectory(Folder);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, ptx);
        File.Move(temporary, path, overwrite: true);
        return ptx;
    }

    // NVRTC's PTX starts with comment lines, then ".version"; it ends after the last function's closing brace.
    private static bool LooksLikePtx(string text) =>
        text.Contains(".version ", StringComparison.Ordinal) && text.Contains(".target ", StringComparison.Ordinal) &&
        text.TrimEnd().EndsWith('}');
}
