using RawEdit.Evaluation.Datasets;

namespace RawEdit.Evaluation.CounterFact;

/// <summary>Reads the two CounterFact layouts into <see cref="EditCase"/>.</summary>
internal static class CounterFactRecords
{
    /// <summary>
    /// ROME's counterfact.json record. Neighbourhood prompts are plain strings whose true answer is the
    /// record's target_true (the neighbours share the subject's original object).
    /// </summary>
    public static EditCase ReadUpstream(JsonRecord record)
    {
        record.CaseId = record.RequiredId("case_id");
        var rewrite = record.RequiredObject("requested_rewrite");
        string prompt = rewrite.RequiredText("prompt");
        if (!prompt.Contains(SubjectTemplate.Placeholder, StringComparison.Ordinal))
            throw record.Error($"has a requested_rewrite.prompt without {SubjectTemplate.Placeholder} for the subject: '{prompt}'");
        string targetTrue = rewrite.RequiredTarget("target_true");
        return new EditCase(
            record.CaseId,
            prompt,
            rewrite.RequiredText("subject"),
            rewrite.RequiredTarget("target_new"),
            targetTrue,
            record.OptionalStrings("paraphrase_prompts"),
            record.OptionalStrings("neighborhood_prompts").Select(p => new NeighborhoodPrompt(p, targetTrue)).ToList(),
            record.OptionalStrings("generation_prompts"),
            record.OptionalStrings("attribute_prompts"));
    }

    /// <summary>
    /// EasyEdit's flat record. The prompt contains the subject; its first occurrence becomes {}.
    /// rephrase_prompt is the one paraphrase; locality_prompt is the one neighbourhood prompt and its true
    /// answer is locality_ground_truth (not ground_truth: the two are separate fields of the record).
    /// </summary>
    public static EditCase ReadFlat(JsonRecord record)
    {
        record.CaseId = record.RequiredId("case_id");
        string prompt = record.RequiredText("prompt");
        string subject = record.RequiredText("subject");
        string template = SubjectTemplate.FromPrompt(prompt, subject)
            ?? throw record.Error($"has a prompt that does not contain its subject: prompt '{prompt}', subject '{subject}'");
        return new EditCase(
            record.CaseId,
            template,
            subject,
            record.RequiredTarget("target_new"),
            record.RequiredTarget("ground_truth"),
            [record.RequiredText("rephrase_prompt")],
            [new NeighborhoodPrompt(record.RequiredText("locality_prompt"), record.RequiredTarget("locality_ground_truth"))],
            [],
            []);
    }
}
