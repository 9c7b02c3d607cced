using RawEdit.Editing.Mend;
using RawEdit.Editing.Requests;
using RawEdit.Evaluation.Datasets;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Mend;

/// <summary>
/// Edit cases (CounterFact or zsRE form) as MEND examples: edit_inner = the rewrite prompt + target_new; edit_outer =
/// it and every paraphrase (zsRE: rephrase) with target_new; loc = every neighbourhood prompt followed by its own
/// true answer (zsRE: the NQ question and answer), at most <see cref="LocalityPrompts"/> of them, so the KL covers
/// the tokens NS and specificity score.
/// </summary>
internal static class MendCases
{
    /// <summary>
    /// Neighbourhood prompts per example in the locality loss. Upstream pairs each edit with one locality text; the
    /// full-vocabulary KL at every locality token is most of a step's cost, and CounterFact records carry ten.
    /// </summary>
    public const int LocalityPrompts = 3;

    public static EditRequest Request(EditCase c) => c.ToRequest();

    public static MendExample Example(Gpt2Tokenizer tokenizer, EditCase c) =>
        MendExample.FromText(tokenizer, Request(c), c.ParaphrasePrompts, c.NeighborhoodPrompts.Take(LocalityPrompts).Select(n => n.Prompt + " " + n.TrueAnswer.Trim()));

    /// <summary>The edit_inner sequence of a case: what <see cref="MendEditor.Compute"/> takes to edit it.</summary>
    public static IReadOnlyList<TargetedSequence> Edit(Gpt2Tokenizer tokenizer, EditCase c) =>
        [TargetedSequence.FromText(tokenizer, c.RewritePrompt, c.TargetNew)];
}
