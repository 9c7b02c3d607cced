namespace RawEdit.Evaluation.Datasets;

/// <summary>Rewrite prompts as templates: <c>"{} was created by"</c> with the subject in place of <c>{}</c>.</summary>
internal static class SubjectTemplate
{
    public const string Placeholder = "{}";

    /// <summary>Puts the subject in place of the first <c>{}</c>.</summary>
    public static string Fill(string template, string subject)
    {
        int at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException($"prompt template '{template}' has no {Placeholder} for the subject");
        return string.Concat(template.AsSpan(0, at), subject, template.AsSpan(at + Placeholder.Length));
    }

    /// <summary>
    /// Turns a prompt that contains the subject into a template by replacing the first occurrence
    /// (ordinal, case-sensitive); null when the subject does not occur.
    /// </summary>
    public static string? FromPrompt(string prompt, string subject)
    {
        if (subject.Length == 0) return null;
        int at = prompt.IndexOf(subject, StringComparison.Ordinal);
        if (at < 0) return null;
        return string.Concat(prompt.AsSpan(0, at), Placeholder, prompt.AsSpan(at + subject.Length));
    }
}
