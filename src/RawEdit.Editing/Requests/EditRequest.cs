namespace RawEdit.Editing.Requests;

/// <summary>
/// One fact to write: a prompt template whose "{}" is the subject, and the new object.
/// <c>Prompt</c> always holds "{}" exactly once; <see cref="Create"/> accepts a prompt that spells the
/// subject out instead (the flat EasyEdit form) and refuses one that does neither.
/// </summary>
public sealed record EditRequest(string Prompt, string Subject, string TargetNew, string? TargetTrue = null, string? CaseId = null)
{
    public const string Placeholder = "{}";

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
