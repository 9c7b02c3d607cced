using System.Reflection;

namespace RawEdit.Models;

/// <summary>
/// Models shipped inside an assembly as manifest resources named <c>weights/NAME/relative/path</c> (the rawedit tool and
/// its single-file binary carry the default model this way). A model is extracted once, on first use, into
/// <c>$RAWEDIT_CACHE</c> (else the user's local application data folder, else the temp folder) under
/// <c>rawedit/weights-MVID/NAME</c>: the module version id changes with every different build, so an upgraded binary
/// never reads an older build's files. Extraction writes a temporary folder and renames it, so a reader sees a whole
/// model or none, even when two processes extract at once.
/// </summary>
internal static class EmbeddedWeights
{
    private const string Prefix = "weights/";

    /// <summary>The folder holding the extracted model, or null when the assembly ships no model of that name.</summary>
    public static string? Extract(Assembly assembly, string name)
    {
        string modelPrefix = Prefix + name + "/";
        var resources = assembly.GetManifestResourceNames().Select(r => (Resource: r, Path: r.Replace('\\', '/')))
            .Where(r => r.Path.StartsWith(modelPrefix, StringComparison.Ordinal)).ToList();
        if (!resources.Any(r => r.Path == modelPrefix + "config.json")) return null;

        string target = Path.Combine(CacheRoot(), $"weights-{assembly.ManifestModule.ModuleVersionId:N}", name);
        if (Directory.Exists(target)) return target;
        string staging = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            foreach (var (resource, path) in resources)
            {
                string file = Path.Combine(staging, path[modelPrefix.Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                using var source = assembly.GetManifestResourceStream(resource)!;
                using var destination = File.Create(file);
                source.CopyTo(destination);
            }
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another process extracted the same build's model first; its copy is identical.
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return target;
    }

    private static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable("RAWEDIT_CACHE") is { Length: > 0 } configured) return configured;
        string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(local.Length > 0 ? local : Path.GetTempPath(), "rawedit");
    }
}
