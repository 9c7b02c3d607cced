using RawEdit.Editing.Requests;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Mend;

/// <summary>
/// A trained MEND editor as an <see cref="IEditMethod"/>: the edit of a request is the editor's low-rank update of
/// each edited matrix, written as one rank-one term per kept token row (u_i ⊗ α·d_i), so an edit has at most
/// (prompt + target tokens) × matrices terms.
/// </summary>
internal sealed class MendEditMethod(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, MendEditor editor) : IEditMethod
{
    public string Name => "mend";

    public IReadOnlyList<string> EditedWeights { get; } = editor.Matrices.Select(m => m.Name).ToList();

    /// <summary>What MEND edits on for a request: the filled prompt followed by the new target.</summary>
    public static TargetedSequence EditSequence(Gpt2Tokenizer tokenizer, EditRequest request) =>
        TargetedSequence.FromText(tokenizer, request.FilledPrompt, request.TargetNew);

    public ComputedEdit Compute(EditRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();   // one gradient and one editor pass: nothing long to interrupt
        var edit = editor.Compute(model, [EditSequence(tokenizer, request)]);
        return new ComputedEdit(edit.Updates.SelectMany(u => u.Terms()).ToList(), new Dictionary<string, double> { ["terms"] = edit.Updates.Sum(u => u.Rows) });
    }
}
