using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace RawEdit.Tests.Cli;

/// <summary>
/// What a user outside the repository gets: <c>dotnet pack</c> makes the four library packages and the rawedit tool
/// (symbols beside each), the tool installs from that folder alone, and <c>rawedit demo</c> then runs from an empty
/// folder with the default model that travels inside the tool. Packs the build this test run made (<c>--no-build</c>).
/// </summary>
[NonParallelizable]
internal sealed class PackagingTests
{
    private static readonly string[] Libraries = ["RawEdit.Tensors", "RawEdit.Models", "RawEdit.Editing", "RawEdit.Evaluation"];

    private string temp = "";

    [SetUp]
    public void CreateTemp() => temp = Directory.CreateTempSubdirectory("rawedit-pack-").FullName;

    [TearDown]
    public void DeleteTemp() => Directory.Delete(temp, true);

    [Test]
    public void Packed_tool_installs_from_the_folder_and_runs_the_demo_outside_the_repository()
    {
        string feed = Path.Combine(temp, "feed");
        Run("dotnet", ["pack", TestPaths.InRepo("RawEdit.sln"), "-c", Configuration, "--no-build", "-o", feed], TestPaths.RepoRoot);

        foreach (var id in Libraries.Append("rawedit"))
        {
            Assert.That(File.Exists(Path.Combine(feed, $"{id}.{Version}.nupkg")), $"{id} package");
            Assert.That(File.Exists(Path.Combine(feed, $"{id}.{Version}.snupkg")), $"{id} symbols package");
        }
        Assert.That(Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName),
            Has.None.StartsWith("RawEdit.Tests").And.None.StartsWith("RawEdit.Benchmarks"), "tests and benchmarks are not packed");
        AssertLibraryPackage(Path.Combine(feed, $"RawEdit.Editing.{Version}.nupkg"), "RawEdit.Editing");

        // A configuration with the feed as the only source: the install needs nothing else.
        string config = Path.Combine(temp, "nuget.config");
        File.WriteAllText(config, $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        string tools = Path.Combine(temp, "tools");
        // Its own package folder, so a package of the same version from an earlier build is never reused.
        Run("dotnet", ["tool", "install", "rawedit", "--tool-path", tools, "--configfile", config, "--version", Version], temp,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(temp, "packages") });

        string empty = Directory.CreateDirectory(Path.Combine(temp, "empty")).FullName;
        var environment = new Dictionary<string, string> { ["RAWEDIT_CACHE"] = Path.Combine(temp, "cache"), ["RAWEDIT_WEIGHTS"] = "" };
        string demo = Run(Path.Combine(tools, "rawedit"), ["demo"], empty, environment);
        Assert.That(demo, Does.Contain("fact").And.Contain("paraphrase").And.Contain("other subject"));
        Assert.That(Directory.GetDirectories(Path.Combine(temp, "cache")), Has.Length.EqualTo(1), "the default model was extracted to the cache");
        Assert.That(Directory.EnumerateFileSystemEntries(empty), Is.Empty, "the demo writes nothing where it runs");

        string version = Run(Path.Combine(tools, "rawedit"), ["--version"], empty, environment).Trim();
        Assert.That(version, Does.Match($@"^rawedit {Regex.Escape(Version)} \(commit ([0-9a-f]{{40}}|unknown: not built from a git checkout)\)$"));
        if (GitHead() is { } head) Assert.That(version, Does.Contain(head), "the commit the build came from");
    }

    /// <summary>A library package carries the assembly, its XML documentation, the README and the licence.</summary>
    private static void AssertLibraryPackage(string package, string id)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(entries, Does.Contain($"lib/net10.0/{id}.dll").And.Contain($"lib/net10.0/{id}.xml").And.Contain("README.md").And.Contain("LICENSE"));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
        string manifest = nuspec.ReadToEnd();
        Assert.That(manifest, Does.Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>"));
        Assert.That(manifest, Does.Match("<repository [^>]*commit=\"[0-9a-f]{40}\"").Or.Not.Contain("<repository"), "source control metadata, when built from git");
    }

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";

    private static string Version => typeof(RawEdit.Models.ModelLocator).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    private static string? GitHead()
    {
        try
        {
            return Run("git", ["rev-parse", "HEAD"], TestPaths.RepoRoot).Trim();
        }
        catch (Exception e) when (e is AssertionException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string Run(string program, string[] arguments, string folder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', arguments)} failed:\n{output}\n{error.Result}");
        return output;
    }
}
