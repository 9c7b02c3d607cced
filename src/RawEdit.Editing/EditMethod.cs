using RawEdit.Editing.Mend;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Models;

namespace RawEdit.Editing;

/// <summary>
/// Makes the editing methods, each bound to one model: <see cref="Rome"/> (ROME, r-ROME, p-ROME), <see cref="Memit"/>,
/// <see cref="Emmet"/>, <see cref="AlphaEdit"/> and <see cref="Mend"/>, or any of them by its command-line name with
/// <see cref="Create"/>; <see cref="Apply"/> applies requests with any of them.
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

    /// <summary>
    /// EMMET ("A Unified Framework for Model Editing"): ROME's equality constraint solved for a batch on MEMIT's layers,
    /// ΔW = R (Kᵀ C⁻¹ K + λ_E I)⁻¹ Kᵀ C⁻¹.
    /// </summary>
    /// <exception cref="ArgumentException">No hyperparameters or statistics are known for the model and the options give none.</exception>
    public static IBatchEditMethod Emmet(LoadedModel model, EditOptions? options = null) =>
        (IBatchEditMethod)EditSetup.Emmet(model, options ?? new EditOptions()).Method;

    /// <summary>
    /// AlphaEdit ("Null-Space Constrained Knowledge Editing"): MEMIT's update projected onto the null space of the preserved
    /// keys, and away from the keys of the edits accepted before (<see cref="IPreservingEditMethod"/>; <see cref="Apply"/>
    /// hands them back). The projector is computed once per statistics and cached beside them.
    /// </summary>
    /// <exception cref="ArgumentException">No hyperparameters or statistics are known for the model, or the threshold leaves an empty null space.</exception>
    public static IBatchEditMethod AlphaEdit(LoadedModel model, EditOptions? options = null) =>
        (IBatchEditMethod)EditSetup.AlphaEdit(model, options ?? new EditOptions()).Method;

    /// <summary>MEND with a trained editor (the default model's ships in <c>weights/tiny-world/mend</c>).</summary>
    /// <exception cref="ArgumentException">The editor was trained for another model.</exception>
    public static IEditMethod Mend(LoadedModel model, string editorFolder) => EditSetup.Mend(model, editorFolder).Method;

    /// <summary>A method by name: rome, r-rome, p-rome, memit, emmet, alphaedit or mend (with <see cref="EditOptions.Editor"/>).</summary>
    /// <exception cref="ArgumentException">An unknown name, or options that do not fit the method.</exception>
    public static IEditMethod Create(string name, LoadedModel model, EditOptions? options = null) =>
        EditSetup.Create(name, model, options ?? new EditOptions()).Method;

    /// <summary>
    /// Applies <paramref name="requests"/> to <paramref name="model"/> as the command line's <c>edit</c> does: a batch method
    /// (MEMIT, EMMET, AlphaEdit) writes them all in one update; any other method edits them in order, each computed on the
    /// model as the earlier ones left it (as upstream's apply_rome_to_model). An <see cref="IPreservingEditMethod"/> is
    /// handed each applied edit's keys. Returns one handle that reverts them all (the preserved keys stay with the method).
    /// When cancelled or failing part-way, the requests applied so far are reverted before the exception leaves.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static AppliedEdit Apply(this IEditMethod method, LoadedModel model, IReadOnlyList<EditRequest> requests,
        IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (requests.Count == 0) throw new ArgumentException("no requests to apply", nameof(requests));
        if (method is IBatchEditMethod batch) return ApplyAndAccept(method, batch.ComputeBatch(requests, progress, cancellationToken), model);
        var applied = new List<AppliedEdit>();
        try
        {
            foreach (var request in requests)
            {
                applied.Add(ApplyAndAccept(method, method.Compute(request, cancellationToken), model));
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

    private static AppliedEdit ApplyAndAccept(IEditMethod method, ComputedEdit edit, LoadedModel model)
    {
        var applied = edit.ApplyTo(model);
        if (method is IPreservingEditMethod preserving) preserving.Accept(edit.PreservedKeys);
        return applied;
    }
}
