namespace RawEdit.Tests;

/// <summary>Locates the repository (the folder holding RawEdit.sln) and the shared data beside it.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared/data relative to the repository root (CI has it there).</summary>
    public static string SharedData { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string Fixture(string relativePathUnderSharedData) => Path.Combine(SharedData, relativePathUnderSharedData);

    public static string Shared(string relativePathUnderSharedData) => Path.Combine(SharedData, relativePathUnderSharedData);

    public static string InRepo(string relative) => Path.Combine(RepoRoot, relative);

    public static string Goldens(string name) => Path.Combine(RepoRoot, "tests", "RawEdit.Tests", "Goldens", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEdit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"RawEdit.sln not found above {AppContext.BaseDirectory}");
    }
}
