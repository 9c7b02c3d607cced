using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace RawEdit.Cli;

/// <summary>
/// <c>rawedit --version</c>: "rawedit VERSION (commit SHA)". The .NET SDK appends the git commit it builds from to the
/// informational version ("0.1.0+SHA", from the source control metadata of a git checkout); a build from a plain
/// source tree has none and says so.
/// </summary>
internal sealed class VersionLine : SynchronousCommandLineAction
{
    public static string Text()
    {
        string informational = typeof(VersionLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+');
        return plus < 0 ? $"rawedit {informational} (commit unknown: not built from a git checkout)"
            : $"rawedit {informational[..plus]} (commit {informational[(plus + 1)..]})";
    }

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Text());
        return 0;
    }

    /// <summary>Replaces the root command's built-in version action with this one.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options.OfType<VersionOption>()) option.Action = new VersionLine();
    }
}
