using RawEdit.Editing.Requests;

namespace RawEdit.Editing;

/// <summary>
/// One computed edit as a value: ΔW = Σ terms (each u ⊗ r on one weight, applied in list order), and the
/// method's own figures (norms, losses) by name. Nothing is applied yet. PreservedKeys are what a
/// <see cref="IPreservingEditMethod"/> keeps of this edit once it is accepted (empty for every other method).
/// </summary>
public sealed record ComputedEdit(IReadOnlyList<RankOneEdit> Terms, IReadOnlyDictionary<string, double> Figures)
{
    public IReadOnlyList<PreservedKey> PreservedKeys { get; init; } = [];

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

/// <summary>A key an accepted edit wrote at one layer [F], kept so that later edits leave its value alone.</summary>
public sealed record PreservedKey(int Layer, float[] Key);

/// <summary>
/// A method whose edits depend on the edits accepted before them in a sequence (AlphaEdit's K_pK_pᵀ). The caller
/// hands each accepted edit's <see cref="ComputedEdit.PreservedKeys"/> back, in order; replaying a journal hands back
/// the journaled keys, so the method's state after a resume is the same bit for bit.
/// </summary>
public interface IPreservingEditMethod : IEditMethod
{
    void Accept(IReadOnlyList<PreservedKey> keys);
}
