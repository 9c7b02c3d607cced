using System.Text.Json.Nodes;
using RawEdit.Editing;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>The commands' view of <see cref="EditSetup"/>: methods by name from the command line's options.</summary>
internal static class EditMethods
{
    public sealed record Options(string? Hparams, string? Stats, string? Templates, int Seed, string? Editor = null)
    {
        public EditOptions ToEditOptions() => new(Hparams, Stats, Templates, Seed, Editor);
    }

    public static IReadOnlyList<string> Names => EditSetup.Names;

    /// <summary>Refuses an unknown method, or MEND without an editor, before anything is loaded.</summary>
    public static void Check(string name, Options options) => EditSetup.Check(name, options.ToEditOptions());

    public static (IEditMethod Method, JsonObject Settings) Create(string name, LoadedModel loaded, Options options) =>
        EditSetup.Create(name, loaded, options.ToEditOptions(), new SynchronousProgress<string>(Console.Error.WriteLine));
}
