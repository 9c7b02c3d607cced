using RawEdit.Editing.Requests;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Mend;

/// <summary>Token ids whose tail Ids[TargetStart..] is the answer: token t is scored from the logits at t − 1.</summary>
internal sealed record TargetedSequence(int[] Ids, int TargetStart)
{
    public int TargetLength => Ids.Length - TargetStart;

    /// <summary>prompt ++ " " + target, tokenised separately as the CounterFact scorer does.</summary>
    public static TargetedSequence FromText(Gpt2Tokenizer tokenizer, string prompt, string target)
    {
        int[] p = tokenizer.Encode(prompt), t = tokenizer.Encode(" " + target.Trim());
        if (p.Length == 0 || t.Length == 0) throw new ArgumentException($"MEND: prompt '{prompt}' or target '{target}' tokenises to nothing");
        return new TargetedSequence([.. p, .. t], p.Length);
    }

    public void Validate(int maxPositions)
    {
        if (TargetStart < 1 || TargetStart >= Ids.Length) throw new ArgumentException($"MEND sequence of {Ids.Length} tokens has target start {TargetStart}");
        if (Ids.Length > maxPositions) throw new ArgumentException($"MEND sequence of {Ids.Length} tokens exceeds the model's {maxPositions} positions");
    }
}

/// <summary>
/// One MEND training example (trainer.py's batch): the edit (edit_inner: the request whose gradient the editor
/// transforms), the prompts the edited model must answer (edit_outer), and unrelated text whose next-token
/// distributions must not move (loc).
/// </summary>
internal sealed record MendExample(IReadOnlyList<TargetedSequence> EditInner, IReadOnlyList<TargetedSequence> EditOuter, IReadOnlyList<int[]> Locality)
{
    /// <summary>
    /// edit_inner = the request's prompt + target; edit_outer = it and each further prompt with the same target;
    /// loc = the locality texts (e.g. neighbourhood prompts with their own answers).
    /// </summary>
    public static MendExample FromText(Gpt2Tokenizer tokenizer, EditRequest request, IEnumerable<string> outerPrompts, IEnumerable<string> localityTexts)
    {
        var inner = TargetedSequence.FromText(tokenizer, request.FilledPrompt, request.TargetNew);
        var outer = outerPrompts.Select(p => TargetedSequence.FromText(tokenizer, p, request.TargetNew)).Prepend(inner).ToList();
        var loc = localityTexts.Select(tokenizer.Encode).Where(ids => ids.Length > 0).ToList();
        return new MendExample([inner], outer, loc);
    }

    public void Validate(ICausalLanguageModel model)
    {
        if (EditInner.Count == 0 || EditOuter.Count == 0) throw new ArgumentException("a MEND example needs an edit and at least one prompt to test it on");
        foreach (var s in EditInner.Concat(EditOuter)) s.Validate(model.MaxPositions);
        foreach (var l in Locality)
            if (l.Length == 0 || l.Length > model.MaxPositions) throw new ArgumentException($"MEND locality text of {l.Length} tokens (1 to {model.MaxPositions} allowed)");
    }
}
