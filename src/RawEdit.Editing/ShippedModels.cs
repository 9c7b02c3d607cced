using RawEdit.Editing.AlphaEdit;
using RawEdit.Editing.Emmet;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Rome;
using RawEdit.Models;

namespace RawEdit.Editing;

/// <summary>
/// A model RawEdit trains and ships (weights/NAME), with the hyperparameters chosen for it per method; its
/// second-moment statistics are NAME/stats. Recognised by the folder name it loads from.
/// </summary>
internal sealed record ShippedModel(
    string Name, RomeHyperParameters Rome, MemitHyperParameters Memit, EmmetHyperParameters Emmet,
    AlphaEditHyperParameters AlphaEdit, MendHyperParameters Mend);

internal static class ShippedModels
{
    public static readonly ShippedModel TinyWorld = new(EditSetup.DefaultModelName, RomeHyperParameters.TinyWorld,
        MemitHyperParameters.TinyWorld, EmmetHyperParameters.TinyWorld, AlphaEditHyperParameters.TinyWorld, MendHyperParameters.TinyWorld);

    public static readonly ShippedModel SmallWorld = new("small-world", RomeHyperParameters.SmallWorld,
        MemitHyperParameters.SmallWorld, EmmetHyperParameters.SmallWorld, AlphaEditHyperParameters.SmallWorld, MendHyperParameters.SmallWorld);

    public static readonly IReadOnlyList<ShippedModel> All = [TinyWorld, SmallWorld];

    /// <summary>The shipped model a loaded model is (by its folder's name), or null for any other checkpoint.</summary>
    public static ShippedModel? Of(LoadedModel loaded)
    {
        string folder = Path.GetFileName(loaded.Source.TrimEnd('/', '\\'));
        return All.FirstOrDefault(m => m.Name == folder);
    }
}
