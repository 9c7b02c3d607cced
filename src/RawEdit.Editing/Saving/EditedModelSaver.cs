using RawEdit.Models;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Editing.Saving;

/// <summary>What a save stored: the dtype chosen and, per edited weight, how much of its update the file keeps.</summary>
/// <param name="Folder">The model folder written.</param>
/// <param name="DType">The <c>--save-dtype</c> the save used.</param>
/// <param name="Updates">One measurement per edited weight, in name order.</param>
public sealed record SaveReport(string Folder, SaveDType DType, IReadOnlyList<StoredUpdate> Updates)
{
    /// <summary>The largest relative error of a stored update (0 when nothing was edited).</summary>
    public double WorstRelativeError => Updates.Select(u => u.RelativeError).DefaultIfEmpty(0).Max();

    /// <summary>True when some stored update lost more than <see cref="StoredUpdate.LossThreshold"/> of itself.</summary>
    public bool LosesUpdate => Updates.Any(u => u.LosesUpdate);
}

/// <summary>An edited weight holds values its storage dtype cannot represent; thrown before anything is written.</summary>
public sealed class StorageRangeException(string message) : ArgumentException(message);

/// <summary>
/// Saves an edited model (config.json and model.safetensors, each written to a temporary file and renamed into place)
/// in a chosen <see cref="SaveDType"/>, and measures for every edited weight how much of its update that storage keeps
/// (<see cref="StoredUpdate"/>). Every command that writes edited weights goes through here.
/// </summary>
public static class EditedModelSaver
{
    /// <summary>
    /// Saves an edited model in Hugging Face layout and reports, per edited weight, how much of its update the storage
    /// keeps (the state before the first of <paramref name="edits"/> is the reference; nothing is copied for it).
    /// Refuses the folder the model was loaded from: edits never overwrite their input.
    /// </summary>
    /// <param name="model">The model as loaded and since edited in memory.</param>
    /// <param name="edits">The edits in effect, in the order they were applied.</param>
    /// <param name="folder">The folder to write; created when missing.</param>
    /// <param name="dtype">Storage dtype of the saved tensors (<see cref="SaveDType.Same"/>: as loaded).</param>
    /// <param name="metadata">Extra safetensors metadata.</param>
    /// <returns>The per-weight precision report; <see cref="SaveReport.LosesUpdate"/> says when <see cref="SaveDType.F32"/> would keep more.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is the model's own folder.</exception>
    /// <exception cref="StorageRangeException">An edited weight is beyond the storage dtype's range (nothing is written).</exception>
    public static SaveReport Save(LoadedModel model, IEnumerable<AppliedEdit> edits, string folder, SaveDType dtype = SaveDType.Same,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        string target = Path.GetFullPath(folder);
        if (model.IsSourceFolder(target))
            throw new ArgumentException($"refusing to save over the model's own folder {model.Source}: edits never overwrite their input", nameof(folder));
        return Save(model, PristineWeights.FromApplied(model.Model, edits), target, dtype, metadata);
    }

    /// <summary>
    /// Measures, then saves. <paramref name="pristine"/> holds the edited weights as they were before editing;
    /// <paramref name="loaded"/>'s stored types decide the dtypes for <see cref="SaveDType.Same"/>, its layout the key names.
    /// </summary>
    /// <param name="loaded">The model as loaded and since edited in memory.</param>
    /// <param name="pristine">Copies of the edited weights from before the edit.</param>
    /// <param name="folder">The folder to write; created when missing.</param>
    /// <param name="dtype">Storage dtype of the saved tensors.</param>
    /// <param name="metadata">Extra safetensors metadata (e.g. rawedit.method).</param>
    /// <returns>The per-weight precision report.</returns>
    internal static SaveReport Save(LoadedModel loaded, PristineWeights pristine, string folder, SaveDType dtype,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var storage = dtype.StorageTypes(loaded.Model.Parameters.Keys, loaded.StoredTypes);
        var updates = Measure(loaded.Model, pristine, storage);
        // A weight the dtype cannot hold would be written as ±∞ (a broken model): refused before anything is written.
        if (updates.FirstOrDefault(u => u.Overflowed > 0) is { } overflow)
            throw new StorageRangeException($"cannot store the edited {overflow.Name} as {overflow.DType}: {overflow.Overflowed} of its values " +
                                        $"(largest |w| {overflow.LargestMagnitude:G3}) are beyond {overflow.DType}'s range and would be saved as infinity; " +
                                        $"nothing was written; save as F32 (--save-dtype f32)");
        ModelCheckpoint.Save(loaded.Model, folder, loaded.Layout, storage, metadata);
        return new SaveReport(folder, dtype, updates);
    }

    /// <summary>How much of each edited weight's update storing it as <paramref name="storage"/>[name] keeps; writes nothing.</summary>
    internal static IReadOnlyList<StoredUpdate> Measure(ICausalLanguageModel model, PristineWeights pristine, IReadOnlyDictionary<string, TensorDType> storage) =>
        pristine.Names.Order(StringComparer.Ordinal)
            .Select(name => StoredUpdate.Measure(name, pristine[name], model.Parameters[name].ToFloatArray(), storage[name]))
            .ToList();
}
