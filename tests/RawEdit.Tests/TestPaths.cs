namespace RawEdit.Tests;

/// <summary>Locates the repository root (the folder holding RawEdit.sln) and the shared data beside it.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>&lt;repo root&gt;/../shared/data: read-only data shared between worktrees, never committed.</summary>
    public static string SharedData { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string Fixture(string relativePathUnderSharedData) =>
        Path.Combine(SharedData, relativePathUnderSharedData);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RawEdit.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No RawEdit.sln above {AppContext.BaseDirectory}.");
    }
}
