using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using RawEdit.Editing.AlphaEdit;
using RawEdit.Editing.Emmet;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;

namespace RawEdit.Editing;

/// <summary>
/// Builds an <see cref="IEditMethod"/> from a name and <see cref="EditOptions"/>: its hyperparameters (a file, else the
/// defaults of a known model), context templates and second-moment statistics, with the settings that decide its results
/// (a sequential run keeps them in run.json). The one place where a method joins everything that runs methods by name.
/// </summary>
internal static class EditSetup
{
    /// <summary>The shipped default model's name; its hyperparameters and statistics are found without options.</summary>
    public const string DefaultModelName = "tiny-world";

    public static readonly string[] Names = ["rome", "r-rome", "p-rome", "memit", "emmet", "alphaedit", "mend"];

    /// <summary>Refuses an unknown method, or MEND without an editor, before anything is loaded.</summary>
    public static void Check(string name, EditOptions options)
    {
        if (!Names.Contains(name)) throw new ArgumentException($"unknown method '{name}' ({string.Join(", ", Names)})");
        if (name == "mend" && options.Editor is null) throw new ArgumentException("--method mend needs --editor (a folder made by rawedit mend-train)");
        if (name != "mend" && options.Editor is not null) throw new ArgumentException($"--editor is for --method mend, not {name}");
    }

    /// <param name="name">The method's name (<see cref="Names"/>).</param>
    /// <param name="loaded">The model the method edits.</param>
    /// <param name="options">Where its hyperparameters, statistics, templates or editor are.</param>
    /// <param name="log">Hears of long one-time work (AlphaEdit's null-space projector, computed once and cached).</param>
    public static (IEditMethod Method, JsonObject Settings) Create(string name, LoadedModel loaded, EditOptions options, IProgress<string>? log = null)
    {
        Check(name, options);
        return name switch
        {
            "memit" => Memit(loaded, options),
            "emmet" => Emmet(loaded, options),
            "alphaedit" => AlphaEdit(loaded, options, log),
            "mend" => Mend(loaded, options.Editor!),
            _ => Rome(ParseRomeMode(name), loaded, options),
        };
    }

    public static RomeMode ParseRomeMode(string method) => method switch
    {
        "rome" => RomeMode.Rome,
        "r-rome" => RomeMode.RRome,
        "p-rome" => RomeMode.PRome,
        _ => throw new ArgumentException($"'{method}' is not a ROME mode (rome, r-rome, p-rome)"),
    };

    public static string NameOf(RomeMode mode) => mode switch { RomeMode.Rome => "rome", RomeMode.RRome => "r-rome", _ => "p-rome" };

    public static (IEditMethod Method, JsonObject Settings) Rome(RomeMode mode, LoadedModel loaded, EditOptions options)
    {
        var h = RomeHparams(loaded, options.Hparams);
        var moment = SecondMoment(loaded, h, h.Layer, options.Stats);
        var contexts = RomeTemplates(loaded, h, options.Templates, options.Seed);
        var settings = new JsonObject
        {
            ["hparams"] = JsonSerializer.SerializeToNode(h), ["context_templates"] = JsonSerializer.SerializeToNode(contexts),
            ["second_moment"] = Identity(moment),
        };
        return (new RomeEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, mode, moment), settings);
    }

    public static (IEditMethod Method, JsonObject Settings) Memit(LoadedModel loaded, EditOptions options)
    {
        var h = MemitHparams(loaded, options.Hparams);
        var contexts = MemitTemplates(loaded, options.Templates, options.Seed);
        var moments = h.Layers.ToDictionary(l => l, l => SecondMoment(loaded, h, l, options.Stats));
        return (new MemitEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, l => moments[l]), Settings(h, contexts, moments));
    }

    public static (IEditMethod Method, JsonObject Settings) Emmet(LoadedModel loaded, EditOptions options)
    {
        var h = EmmetHparams(loaded, options.Hparams);
        var contexts = MemitTemplates(loaded, options.Templates, options.Seed);
        var moments = h.Layers.ToDictionary(l => l, l => SecondMoment(loaded, h, l, options.Stats));
        return (new EmmetEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, l => moments[l]), Settings(h, contexts, moments));
    }

    /// <summary>The projectors' ranks join the settings: a resume with statistics or a threshold that changed them is refused.</summary>
    public static (IEditMethod Method, JsonObject Settings) AlphaEdit(LoadedModel loaded, EditOptions options, IProgress<string>? log = null)
    {
        var h = AlphaEditHparams(loaded, options.Hparams);
        var contexts = MemitTemplates(loaded, options.Templates, options.Seed);
        var projectors = h.Layers.ToDictionary(l => l, l => NullSpace(loaded, h, l, options.Stats, log));
        var settings = Settings(h, contexts, h.Layers.ToDictionary(l => l, l => SecondMoment(loaded, h, l, options.Stats)));
        settings["nullspace_rank"] = new JsonObject(projectors.Select(p => KeyValuePair.Create(p.Key.ToString(), (JsonNode?)p.Value.Rank)));
        return (new AlphaEditEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, l => projectors[l]), settings);
    }

    private static JsonObject Settings<T>(T h, IReadOnlyList<string> contexts, Dictionary<int, SecondMoment> moments) => new()
    {
        ["hparams"] = JsonSerializer.SerializeToNode(h), ["context_templates"] = JsonSerializer.SerializeToNode(contexts),
        ["second_moment"] = new JsonObject(moments.Select(m => KeyValuePair.Create(m.Key.ToString(), (JsonNode?)Identity(m.Value)))),
    };

    /// <summary>The editor file's SHA-256 decides a resume; its path is kept in run.json's top-level "editor".</summary>
    public static (IEditMethod Method, JsonObject Settings) Mend(LoadedModel loaded, string editorPath)
    {
        var editor = MendEditorFile.Load(editorPath, loaded.Model);
        var settings = new JsonObject
        {
            ["editor_sha256"] = HashFile(MendEditorFile.FilePath(editorPath)), ["hparams"] = editor.Hparams.ToJson(),
        };
        return (new MendEditMethod(loaded.Model, loaded.Tokenizer, editor), settings);
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static RomeHyperParameters RomeHparams(LoadedModel loaded, string? path) => Hparams(loaded, path,
        s => s.Rome, RomeHyperParameters.Gpt2Xl, RomeHyperParameters.GptJ6B);

    public static MemitHyperParameters MemitHparams(LoadedModel loaded, string? path) => Hparams(loaded, path,
        s => s.Memit, MemitHyperParameters.Gpt2Xl, MemitHyperParameters.GptJ6B);

    public static EmmetHyperParameters EmmetHparams(LoadedModel loaded, string? path) => Hparams(loaded, path,
        s => s.Emmet, EmmetHyperParameters.Gpt2Xl, EmmetHyperParameters.GptJ6B);

    public static AlphaEditHyperParameters AlphaEditHparams(LoadedModel loaded, string? path) => Hparams(loaded, path,
        s => s.AlphaEdit, AlphaEditHyperParameters.Gpt2Xl, AlphaEditHyperParameters.GptJ6B);

    /// <summary>
    /// The model's built-in hyperparameters (a shipped model's preset, GPT-2 XL's or GPT-J 6B's, as upstream's files)
    /// with the file's keys over them; for another model the file over upstream's defaults, and without a file a clear
    /// error. A complete upstream file therefore means the same on every model, and a partial one (e.g. only
    /// <c>residual_value</c>) changes only what it names.
    /// </summary>
    private static T Hparams<T>(LoadedModel loaded, string? path, Func<ShippedModel, T> shipped, T gpt2Xl, T gptJ)
        where T : ValueEditHyperParameters, new()
    {
        T? builtIn = ShippedModels.Of(loaded) is { } model ? shipped(model)
            : loaded.Model is { Architecture: "gpt2", Layers: 48 } ? gpt2Xl
            : loaded.Model is { Architecture: "gptj", Layers: 28 } ? gptJ
            : default;
        if (path is not null) return ValueEditHyperParameters.Overlay(path, builtIn ?? new T());
        string method = new T().MethodName;
        return builtIn ?? throw new ArgumentException(
            $"no default {method} hyperparameters for a {loaded.Model.Layers}-layer model; pass --hparams (keys as upstream hparams/{method}/gpt2-xl.json)");
    }

    public static IReadOnlyList<string> RomeTemplates(LoadedModel loaded, RomeHyperParameters h, string? path, int seed) =>
        path is not null ? ContextTemplates.Load(path) : ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, h.ContextTemplateLengthParams, seed);

    public static IReadOnlyList<string> MemitTemplates(LoadedModel loaded, string? path, int seed) =>
        path is not null ? ContextTemplates.Load(path) : MemitEditor.Templates(loaded.Model, loaded.Tokenizer, seed);

    /// <summary>
    /// C of one layer from the statistics folder: the given one, else a shipped model's own (e.g. weights/tiny-world/stats);
    /// the identity when mom2_adjustment is off.
    /// </summary>
    public static SecondMoment SecondMoment(LoadedModel loaded, ValueEditHyperParameters h, int layer, string? statsDir)
    {
        if (!h.Mom2Adjustment) return Statistics.SecondMoment.Identity(loaded.Model.MlpWidth);
        return SecondMomentLookup.Find(StatsRoot(loaded, statsDir), loaded.Model, layer, h.Mom2NSamples);
    }

    /// <summary>AlphaEdit's projector of one layer, cached beside the statistics it comes from (computed on first use).</summary>
    public static NullSpaceProjector NullSpace(LoadedModel loaded, AlphaEditHyperParameters h, int layer, string? statsDir, IProgress<string>? log = null)
    {
        string root = StatsRoot(loaded, statsDir);
        var key = SecondMomentLookup.FindKey(root, loaded.Model, layer, h.Mom2NSamples);
        return NullSpaceStore.LoadOrCompute(root, key, h.NullspaceThreshold, () => SecondMomentStore.TryLoad(root, key)!, log);
    }

    private static string StatsRoot(LoadedModel loaded, string? statsDir) =>
        statsDir ?? (ShippedModels.Of(loaded) is not null ? Path.Combine(loaded.Source, "stats")
            : throw new ArgumentException("mom2_adjustment is on: pass --stats DIR (made by rawedit stats), or set mom2_adjustment to false"));

    private static JsonObject Identity(SecondMoment moment) =>
        new() { ["identity"] = moment.IsIdentity, ["tokens"] = moment.Tokens, ["documents"] = moment.Documents };
}
