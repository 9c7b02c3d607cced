namespace RawEdit.Evaluation.Datasets;

/// <summary>
/// One edit request and the prompts that test it, in the shape of upstream CounterFact's
/// <c>requested_rewrite</c> record. Every dataset form is read into this.
/// </summary>
/// <param name="CaseId">The record's <c>case_id</c>, or its index in the file where the form has none (zsRE).</param>
/// <param name="Prompt">The rewrite prompt as a template: <c>{}</c> stands for the subject.</param>
/// <param name="Subject">The subject the edit is about.</param>
/// <param name="TargetNew">The answer the edit asks for (scored as " " + TargetNew).</param>
/// <param name="TargetTrue">The answer the unedited fact has (scored as " " + TargetTrue).</param>
/// <param name="ParaphrasePrompts">Rewordings of the rewrite prompt, subject included.</param>
/// <param name="NeighborhoodPrompts">Prompts about other subjects that the edit should leave alone, each with its true answer.</param>
/// <param name="GenerationPrompts">Open-ended prompts for generation metrics (upstream CounterFact only).</param>
/// <param name="AttributePrompts">Prompts about other subjects that have TargetNew as answer (upstream CounterFact only).</param>
public sealed record EditCase(
    string CaseId,
    string Prompt,
    string Subject,
    string TargetNew,
    string TargetTrue,
    IReadOnlyList<string> ParaphrasePrompts,
    IReadOnlyList<NeighborhoodPrompt> NeighborhoodPrompts,
    IReadOnlyList<string> GenerationPrompts,
    IReadOnlyList<string> AttributePrompts)
{
    /// <summary>The rewrite prompt with the subject filled in, as the model sees it.</summary>
    public string RewritePrompt => SubjectTemplate.Fill(Prompt, Subject);

    /// <summary>The case's edit: its rewrite prompt, subject and new target (the true target and case id kept with it).</summary>
    /// <exception cref="ArgumentException">The case's prompt does not hold its subject.</exception>
    public Editing.Requests.EditRequest ToRequest() => Editing.Requests.EditRequest.Create(Prompt, Subject, TargetNew, TargetTrue, CaseId);
}

/// <summary>
/// A prompt whose answer the edit should not change. <paramref name="TrueAnswer"/> is the answer the
/// unedited model should keep preferring (CounterFact NS compares it with the edit's TargetNew; zsRE
/// specificity scores its tokens).
/// </summary>
public sealed record NeighborhoodPrompt(string Prompt, string TrueAnswer);
