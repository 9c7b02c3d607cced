using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;

namespace RawEdit.Models;

/// <summary>
/// Finds and loads models: a folder in Hugging Face layout (config.json + model.safetensors or a sharded index), or the
/// name of a shipped model ("tiny-world").
/// </summary>
public static class ModelLocator
{
    private static readonly List<System.Reflection.Assembly> embeddedSources = [];

    /// <summary>
    /// Lets models shipped inside <paramref name="assembly"/> (manifest resources named <c>weights/NAME/…</c>) resolve by
    /// name, after the folders on disk; such a model is extracted to a cache folder on first use.
    /// </summary>
    public static void AddEmbeddedWeights(System.Reflection.Assembly assembly)
    {
        lock (embeddedSources)
            if (!embeddedSources.Contains(assembly)) embeddedSources.Add(assembly);
    }

    /// <summary>
    /// Loads a model by folder or shipped name (see <see cref="Resolve"/>; "tiny-world" is the default model): read on the
    /// CPU (memory-mapped where its half-precision matrices stay stored) and moved to the current default backend (<see cref="RawEdit.Tensors.ComputeDevice.Use"/>, the CLI's --device).
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint, its config or its tokenizer is corrupt or inconsistent.</exception>
    public static LoadedModel Load(string nameOrFolder)
    {
        string folder = Resolve(nameOrFolder);
        var loaded = ModelCheckpoint.LoadOnDefaultBackend(folder, Checkpoints.WeightPrecisions.FromEnvironment());
        var tokenizer = Gpt2Tokenizer.HasTokenizerFiles(folder) ? Gpt2Tokenizer.FromDirectory(folder) : Gpt2Tokenizer.Default;
        if (tokenizer.VocabSize > loaded.Model.VocabSize)
            throw new InvalidDataException($"{folder}: tokenizer has {tokenizer.VocabSize} tokens but the model only {loaded.Model.VocabSize}");
        return new LoadedModel(loaded.Model, tokenizer, folder, loaded.Layout, loaded.StoredTypes);
    }

    /// <summary>
    /// The folder a model argument names: an existing folder as given, else a model of that name in the weights folders
    /// (<c>$RAWEDIT_WEIGHTS</c>, <c>weights/</c> beside the executable, the enclosing repository's <c>weights/</c>), else
    /// one shipped inside an assembly registered with <see cref="AddEmbeddedWeights"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Nothing of that name exists.</exception>
    public static string Resolve(string nameOrFolder)
    {
        if (Directory.Exists(nameOrFolder)) return Path.GetFullPath(nameOrFolder);
        foreach (var root in WeightRoots())
        {
            string candidate = Path.Combine(root, nameOrFolder);
            if (File.Exists(Path.Combine(candidate, "config.json"))) return candidate;
        }
        System.Reflection.Assembly[] sources;
        lock (embeddedSources) sources = [.. embeddedSources];
        foreach (var assembly in sources)
            if (EmbeddedWeights.Extract(assembly, nameOrFolder) is { } extracted) return extracted;
        throw new DirectoryNotFoundException($"model '{nameOrFolder}' is neither a folder nor a model in weights/");
    }

    /// <summary>weights/ beside the executable (published builds) and in the enclosing repository (dotnet run).</summary>
    private static IEnumerable<string> WeightRoots()
    {
        var env = Environment.GetEnvironmentVariable("RAWEDIT_WEIGHTS");
        if (!string.IsNullOrEmpty(env)) yield return env;
        yield return Path.Combine(AppContext.BaseDirectory, "weights");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawEdit.sln")))
            {
                yield return Path.Combine(dir.FullName, "weights");
                yield break;
            }
    }
}
