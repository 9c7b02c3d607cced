using RawEdit.Editing.Requests;

namespace RawEdit.Editing;

/// <summary>
/// One computed edit as a value: ΔW = Σ terms (each u ⊗ r on one weight, applied in list order), and the
/// method's own figures (norms, losses) by name. Nothing is applied yet.
/// </summary>
public sealed record ComputedEdit(IReadOnlyList<RankOneEdit> Terms, IReadOnlyDictionary<string, double> Figures)
{
    /// <summary>Adds every term to the model, in order; the handles revert in reverse order.</summary>
    public IReadOnlyList<AppliedEdit> ApplyTo(Models.ICausalLanguageModel model) => Terms.Select(t => t.ApplyTo(model)).ToList();

    /// <summary>The weights this edit changes, in first-touched order.</summary>
    public IEnumerable<string> Weights => Terms.Select(t => t.WeightName).Distinct();
}

/// <summary>
/// A single-edit method bound to one model (ROME family, MEMIT with one request, MEND): it computes the edit
/// of a request on the model as it is now. Sequential editing calls it once per request, applying each result
/// before the next call; the method keeps no hidden state between calls beyond caches of pristine-model
/// quantities (context templates, statistics).
/// </summary>
public interface IEditMethod
{
    /// <summary>The method's CLI name (rome, r-rome, p-rome, memit, mend).</summary>
    string Name { get; }

    /// <summary>The weights an edit of this method may change (|Δ| is tracked for each).</summary>
    IReadOnlyList<string> EditedWeights { get; }

    ComputedEdit Compute(EditRequest request);
}
