using System.Text.Json;
using System.Text.Json.Nodes;
using RawEdit.Editing;
using RawEdit.Editing.AlphaEdit;
using RawEdit.Editing.Emmet;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.Sequential;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>
/// Builds the <see cref="IEditMethod"/> a command names, with the settings that decide its results (kept in a run's
/// run.json). The one place where a new method joins the commands that run methods by name.
/// </summary>
internal static class EditMethods
{
    public sealed record Options(string? Hparams, string? Stats, string? Templates, int Seed, string? Editor = null);

    public static readonly string[] Names = ["rome", "r-rome", "p-rome", "memit", "emmet", "alphaedit", "mend"];

    /// <summary>Refuses an unknown method, or MEND without an editor, before anything is loaded.</summary>
    public static void Check(string name, Options options)
    {
        if (!Names.Contains(name)) throw new ArgumentException($"unknown method '{name}' ({string.Join(", ", Names)})");
        if (name == "mend" && options.Editor is null) throw new ArgumentException("--method mend needs --editor (a folder made by rawedit mend-train)");
        if (name != "mend" && options.Editor is not null) throw new ArgumentException($"--editor is for --method mend, not {name}");
    }

    public static (IEditMethod Method, JsonObject Settings) Create(string name, LoadedModel loaded, Options options)
    {
        Check(name, options);
        return name switch
        {
            "memit" => Memit(loaded, options),
            "emmet" => Emmet(loaded, options),
            "alphaedit" => AlphaEdit(loaded, options),
            "mend" => Mend(loaded, options.Editor!),
            _ => Rome(name, loaded, options),
        };
    }

    private static (IEditMethod, JsonObject) Rome(string name, LoadedModel loaded, Options options)
    {
        var h = EditSetup.RomeHparams(loaded, options.Hparams);
        var moment = EditSetup.SecondMoment(loaded, h, h.Layer, options.Stats);
        var contexts = EditSetup.RomeTemplates(loaded, h, options.Templates, options.Seed);
        var settings = new JsonObject
        {
            ["hparams"] = JsonSerializer.SerializeToNode(h), ["context_templates"] = JsonSerializer.SerializeToNode(contexts),
            ["second_moment"] = Identity(moment),
        };
        return (new RomeEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, EditCommand.ParseMethod(name), moment), settings);
    }

    private static (IEditMethod, JsonObject) Memit(LoadedModel loaded, Options options)
    {
        var h = EditSetup.MemitHparams(loaded, options.Hparams);
        var contexts = EditSetup.MemitTemplates(loaded, options.Templates, options.Seed);
        var moments = h.Layers.ToDictionary(l => l, l => EditSetup.SecondMoment(loaded, h, l, options.Stats));
        return (new MemitEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, l => moments[l]), Settings(h, contexts, moments));
    }

    private static (IEditMethod, JsonObject) Emmet(LoadedModel loaded, Options options)
    {
        var h = EditSetup.EmmetHparams(loaded, options.Hparams);
        var contexts = EditSetup.MemitTemplates(loaded, options.Templates, options.Seed);
        var moments = h.Layers.ToDictionary(l => l, l => EditSetup.SecondMoment(loaded, h, l, options.Stats));
        return (new EmmetEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, l => moments[l]), Settings(h, contexts, moments));
    }

    /// <summary>The projectors' ranks join the settings: a resume with statistics or a threshold that changed them is refused.</summary>
    private static (IEditMethod, JsonObject) AlphaEdit(LoadedModel loaded, Options options)
    {
        var h = EditSetup.AlphaEditHparams(loaded, options.Hparams);
        var contexts = EditSetup.MemitTemplates(loaded, options.Templates, options.Seed);
        var projectors = h.Layers.ToDictionary(l => l, l => EditSetup.NullSpace(loaded, h, l, options.Stats));
        var settings = Settings(h, contexts, h.Layers.ToDictionary(l => l, l => EditSetup.SecondMoment(loaded, h, l, options.Stats)));
        settings["nullspace_rank"] = new JsonObject(projectors.Select(p => KeyValuePair.Create(p.Key.ToString(), (JsonNode?)p.Value.Rank)));
        return (new AlphaEditEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, l => projectors[l]), settings);
    }

    private static JsonObject Settings<T>(T h, IReadOnlyList<string> contexts, Dictionary<int, SecondMoment> moments) => new()
    {
        ["hparams"] = JsonSerializer.SerializeToNode(h), ["context_templates"] = JsonSerializer.SerializeToNode(contexts),
        ["second_moment"] = new JsonObject(moments.Select(m => KeyValuePair.Create(m.Key.ToString(), (JsonNode?)Identity(m.Value)))),
    };

    /// <summary>The editor file's SHA-256 decides a resume; its path is kept in run.json's top-level "editor".</summary>
    private static (IEditMethod, JsonObject) Mend(LoadedModel loaded, string editorPath)
    {
        var editor = MendEditorFile.Load(editorPath, loaded.Model);
        var settings = new JsonObject
        {
            ["editor_sha256"] = RunSettings.HashFile(MendEditorFile.FilePath(editorPath)), ["hparams"] = editor.Hparams.ToJson(),
        };
        return (new MendEditMethod(loaded.Model, loaded.Tokenizer, editor), settings);
    }

    private static JsonObject Identity(SecondMoment moment) =>
        new() { ["identity"] = moment.IsIdentity, ["tokens"] = moment.Tokens, ["documents"] = moment.Documents };
}
