using System.Text.Json;
using System.Text.Json.Nodes;
using RawEdit.Editing;
using RawEdit.Editing.Rome;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>
/// Builds the <see cref="IEditMethod"/> a command names, with the settings that decide its results (kept in a run's
/// run.json). The one place where a new method (MEMIT, MEND) joins the commands that run methods by name.
/// </summary>
internal static class EditMethods
{
    public sealed record Options(string? Hparams, string? Stats, string? Templates, int Seed);

    public static (IEditMethod Method, JsonObject Settings) Create(string name, LoadedModel loaded, Options options)
    {
        var mode = EditCommand.ParseMethod(name);
        var h = EditSetup.RomeHparams(loaded, options.Hparams);
        var moment = EditSetup.SecondMoment(loaded, h, h.Layer, options.Stats);
        var contexts = EditSetup.RomeTemplates(loaded, h, options.Templates, options.Seed);
        var settings = new JsonObject
        {
            ["hparams"] = JsonSerializer.SerializeToNode(h), ["context_templates"] = JsonSerializer.SerializeToNode(contexts),
            ["second_moment"] = new JsonObject { ["identity"] = moment.IsIdentity, ["tokens"] = moment.Tokens, ["documents"] = moment.Documents },
        };
        return (new RomeEditMethod(loaded.Model, loaded.Tokenizer, contexts, h, mode, moment), settings);
    }
}
