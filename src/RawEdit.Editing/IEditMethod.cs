using RawEdit.Editing.Requests;
using RawEdit.Models;

namespace RawEdit.Editing;

/// <summary>
/// One computed edit as a value: ΔW = Σ terms (each u ⊗ r on one weight, applied in list order) or dense updates of whole
/// weights (a batch), and the method's own figures (norms, losses) by name. Nothing is applied until
/// <see cref="ApplyTo(LoadedModel)"/>. <see cref="PreservedKeys"/> are what an <see cref="IPreservingEditMethod"/> keeps of
/// this edit once it is accepted (empty for every other method).
/// </summary>
public sealed record ComputedEdit
{
    internal ComputedEdit(IReadOnlyList<RankOneEdit> terms, IReadOnlyDictionary<string, double> figures, DenseEdit? dense = null)
    {
        Terms = terms;
        Figures = figures;
        Dense = dense;
    }

    /// <summary>The keys this edit wrote, which an <see cref="IPreservingEditMethod"/> (AlphaEdit) keeps once the edit is accepted.</summary>
    public IReadOnlyList<PreservedKey> PreservedKeys { get; internal init; } = [];

    /// <summary>Rank-one terms, applied in order (what a sequential run journals).</summary>
    internal IReadOnlyList<RankOneEdit> Terms { get; init; }

    /// <summary>Dense updates applied after the terms (a batch method's result); null when the edit is all terms.</summary>
    internal DenseEdit? Dense { get; init; }

    /// <summary>The method's figures by name (for example <c>delta_norm</c>, <c>loss_first</c>, <c>loss_last</c>, <c>adam_steps</c>).</summary>
    public IReadOnlyDictionary<string, double> Figures { get; internal init; }

    /// <summary>The names of the weights this edit changes, in first-touched order.</summary>
    public IEnumerable<string> Weights => Terms.Select(t => t.WeightName).Concat(Dense?.Deltas.Select(d => d.WeightName) ?? []).Distinct();

    /// <summary>
    /// Adds the edit to the model's weights (a half-precision weight becomes float32 first). The returned handle puts the
    /// weights back bit for bit.
    /// </summary>
    public AppliedEdit ApplyTo(LoadedModel model) => ApplyTo(model.Model);

    internal AppliedEdit ApplyTo(ICausalLanguageModel model)
    {
        var parts = Terms.Select(t => t.ApplyTo(model)).ToList();
        if (Dense is not null) parts.Add(Dense.ApplyTo(model));
        return AppliedEdit.Together(parts);
    }
}

/// <summary>
/// An editing method bound to one model (ROME, r-ROME, p-ROME, MEMIT, EMMET, AlphaEdit, MEND; made by
/// <see cref="EditMethod"/>): it computes the edit of a request on the model as it is now. Sequential editing calls it
/// once per request, applying each result before the next call; the method keeps no hidden state between calls beyond
/// caches of pristine-model quantities (context templates, statistics) and, for an <see cref="IPreservingEditMethod"/>,
/// the keys of the edits handed back to it.
/// </summary>
public interface IEditMethod
{
    /// <summary>The method's name as the command line spells it (rome, r-rome, p-rome, memit, emmet, alphaedit, mend).</summary>
    string Name { get; }

    /// <summary>The names of the weights an edit of this method may change.</summary>
    IReadOnlyList<string> EditedWeights { get; }

    /// <summary>
    /// Computes the edit of one request on the model as it is now, without applying it.
    /// </summary>
    /// <exception cref="ArgumentException">The request does not fit the model (for example its subject is not in its prompt).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked at every optimisation step).</exception>
    ComputedEdit Compute(EditRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A method that edits many requests at once, in one update per edited layer (MEMIT, EMMET, AlphaEdit).</summary>
public interface IBatchEditMethod : IEditMethod
{
    /// <summary>
    /// Computes one edit that writes all <paramref name="requests"/> together, on the model as it is now, without
    /// applying it; <paramref name="progress"/> hears of each request's target value and each layer's update.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ComputedEdit ComputeBatch(IReadOnlyList<EditRequest> requests, IProgress<EditProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>A key an accepted edit wrote at one layer [F], kept so that later edits leave its value alone.</summary>
/// <param name="Layer">The edited layer.</param>
/// <param name="Key">The key (the MLP down projection's input at the subject's last token), float32.</param>
public sealed record PreservedKey(int Layer, float[] Key);

/// <summary>
/// A method whose edits depend on the edits accepted before them in a sequence (AlphaEdit's K_pK_pᵀ). The caller
/// hands each accepted edit's <see cref="ComputedEdit.PreservedKeys"/> back, in order; replaying a journal hands back
/// the journaled keys, so the method's state after a resume is the same bit for bit.
/// </summary>
public interface IPreservingEditMethod : IEditMethod
{
    /// <summary>Adds an accepted edit's keys to those the method preserves (<see cref="EditMethod.Apply"/> does it for each edit it applies).</summary>
    void Accept(IReadOnlyList<PreservedKey> keys);
}
