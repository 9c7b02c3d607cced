using RawEdit.Editing.Mend;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Models;

namespace RawEdit.Editing;

/// <summary>
/// Makes the editing methods, each bound to one model: <see cref="Rome"/> (ROME, r-ROME, p-ROME), <see cref="Memit"/>
/// and <see cref="Mend"/>, or any of them by its command-line name with <see cref="Create"/>.
/// </summary>
public static class EditMethod
{
    /// <summary>The methods' names as the command line spells them.</summary>
    public static IReadOnlyList<string> Names => EditSetup.Names;

    /// <summary>
    /// ROME in one of its three modes: <see cref="RomeMode.Rome"/> reproduces the original implementation,
    /// <see cref="RomeMode.RRome"/> is the fix from "Rebuilding ROME", <see cref="RomeMode.PRome"/> uses the unprefixed key.
    /// </summary>
    /// <exception cref="ArgumentException">No hyperparameters or statistics are known for the model and the options give none.</exception>
    public static IEditMethod Rome(LoadedModel model, RomeMode mode = RomeMode.Rome, EditOptions? options = null) =>
        EditSetup.Rome(mode, model, options ?? new EditOptions()).Method;

    /// <summary>MEMIT: one request per <see cref="IEditMethod.Compute"/>, or many in one <see cref="IBatchEditMethod.ComputeBatch"/>.</summary>
    /// <exception cref="ArgumentException">No hyperparameters or statistics are known for the model and the options give none.</exception>
    public static IBatchEditMethod Memit(LoadedModel model, EditOptions? options = null) =>
        (IBatchEditMethod)EditSetup.Memit(model, options ?? new EditOptions()).Method;

    /// <summary>MEND with a trained editor (the default model's ships in <c>weights/tiny-world/mend</c>).</summary>
    /// <exception cref="ArgumentException">The editor was trained for another model.</exception>
    public static IEditMethod Mend(LoadedModel model, string editorFolder) => EditSetup.Mend(model, editorFolder).Method;

    /// <summary>A method by name: rome, r-rome, p-rome, memit or mend (with <see cref="EditOptions.Editor"/>).</summary>
    /// <exception cref="ArgumentException">An unknown name, or options that do not fit the method.</exception>
    public static IEditMethod Create(string name, LoadedModel model, EditOptions? options = null) =>
        EditSetup.Create(name, model, options ?? new EditOptions()).Method;

    /// <summary>
    /// Applies <paramref name="requests"/> to <paramref name="model"/> as the command line's <c>edit</c> does: a batch method
    /// (MEMIT) writes them all in one update; any other method edits them in order, each computed on the model as the
    /// earlier ones left it (as upstream's apply_rome_to_model). Returns one handle that reverts them all. When cancelled
    /// or failing part-way, the requests applied so far are reverted before the exception leaves.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static AppliedEdit Apply(this IEditMethod method, LoadedModel model, IReadOnlyList<EditRequest> requests,
        IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (requests.Count == 0) throw new ArgumentException("no requests to apply", nameof(requests));
        if (method is IBatchEditMethod batch) return batch.ComputeBatch(requests, progress, cancellationToken).ApplyTo(model);
        var applied = new List<AppliedEdit>();
        try
        {
            foreach (var request in requests)
            {
                applied.Add(method.Compute(request, cancellationToken).ApplyTo(model));
                progress?.Report(new EditProgress(EditStage.Requests, applied.Count, requests.Count, $"{request.FilledPrompt} → {request.TargetNew}"));
            }
        }
        catch
        {
            AppliedEdit.Together(applied).Revert();
            throw;
        }
        return AppliedEdit.Together(applied);
    }
}
