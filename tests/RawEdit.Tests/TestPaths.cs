namespace RawEdit.Tests;

/// <summary>
/// Locates files for tests, which run from bin/…: the repository root is the nearest folder above the test
/// assembly that holds RawEdit.sln, and the shared (uncommitted) data lies beside it in ../shared/data.
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);

    /// <summary>The folder that contains RawEdit.sln.</summary>
    public static string RepoRoot => LazyRepoRoot.Value;

    /// <summary>&lt;repo root&gt;/../shared/data: datasets, tokenizer files and model fixtures, read-only.</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>
    /// Full path of a file or folder under <see cref="SharedData"/>/fixtures, e.g. <c>Fixture("hf-tiny-gpt2")</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">It does not exist; the message says where it was looked for.</exception>
    public static string Fixture(string relative) => Existing(Path.Combine(SharedData, "fixtures", relative));

    /// <summary>Full path of a file or folder under <see cref="SharedData"/>, e.g. <c>Shared("wikitext/wiki.test.raw")</c>.</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    public static string Shared(string relative) => Existing(Path.Combine(SharedData, relative));

    /// <summary>Full path of a committed file or folder, relative to <see cref="RepoRoot"/>.</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    public static string InRepo(string relative) => Existing(Path.Combine(RepoRoot, relative));

    private static string Existing(string path)
    {
        string full = Path.GetFullPath(path);
        return File.Exists(full) || Directory.Exists(full)
            ? full
            : throw new FileNotFoundException($"Test data not found: {full}", full);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RawEdit.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No RawEdit.sln in any folder above {AppContext.BaseDirectory}");
    }
}
