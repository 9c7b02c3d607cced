namespace RawEdit.Editing.Requests;

/// <summary>
/// One fact to write: a prompt template whose "{}" is the subject, and the new object.
/// <c>Prompt</c> always holds "{}" exactly once; <see cref="Create"/> accepts a prompt that spells the
/// subject out instead (the flat EasyEdit form) and refuses one that does neither.
/// </summary>
/// <param name="Prompt">The prompt template, with "{}" where the subject goes.</param>
/// <param name="Subject">The subject.</param>
/// <param name="TargetNew">The new object.</param>
/// <param name="TargetTrue">The current object, when known.</param>
/// <param name="CaseId">An identifier for reports.</param>
public sealed record EditRequest(string Prompt, string Subject, string TargetNew, string? TargetTrue = null, string? CaseId = null)
{
    /// <summary>The subject's place in a prompt template.</summary>
    public const string Placeholder = "{}";

    /// <summary>
    /// A request from a prompt that holds "{}" once, or spells its subject out (the flat EasyEdit form; the first
    /// occurrence becomes "{}"). The targets are trimmed: the scorer puts the single space before them.
    /// </summary>
    /// <param name="prompt">The prompt, e.g. "{} was born in" or "Danielle Darrieux was born in".</param>
    /// <param name="subject">The subject the fact is about.</param>
    /// <param name="targetNew">The new object, e.g. "English".</param>
    /// <param name="targetTrue">The object the model knows now, when known (for scoring).</param>
    /// <param name="caseId">An identifier carried into reports and error messages.</param>
    /// <exception cref="ArgumentException">An empty subject or target, several "{}", or a prompt that holds neither "{}" nor the subject.</exception>
    public static EditRequest Create(string prompt, string subject, string targetNew, string? targetTrue = null, string? caseId = null)
    {
        string where = caseId is null ? "" : $" (case {caseId})";
        if (string.IsNullOrWhiteSpace(subject)) throw new ArgumentException($"edit request{where} has an empty subject");
        if (string.IsNullOrWhiteSpace(targetNew)) throw new ArgumentException($"edit request{where} has an empty target_new");
        int placeholders = CountOf(prompt, Placeholder);
        if (placeholders > 1) throw new ArgumentException($"edit request{where}: prompt '{prompt}' has {placeholders} '{{}}' placeholders");
        if (placeholders == 0)
        {
            int at = prompt.IndexOf(subject, StringComparison.Ordinal);
            if (at < 0) throw new ArgumentException($"edit request{where}: prompt '{prompt}' has no '{{}}' and does not contain its subject '{subject}'");
            prompt = prompt[..at] + Placeholder + prompt[(at + subject.Length)..];
        }
        return new EditRequest(prompt, subject, targetNew.Trim(), targetTrue?.Trim(), caseId);
    }

    /// <summary>The prompt with the subject filled in.</summary>
    public string FilledPrompt => Prompt.Replace(Placeholder, Subject);

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
