using RawEdit.Evaluation.Datasets;

namespace RawEdit.Evaluation.Zsre;

/// <summary>Reads MEND's zsRE layout into <see cref="EditCase"/>, as ROME's zsRE loader arranges it.</summary>
internal static class ZsreRecords
{
    /// <summary>
    /// The question <c>src</c> with its subject replaced by {} is the rewrite prompt; target_new = <c>alt</c>,
    /// target_true = <c>answers[0]</c>; <c>rephrase</c> is the one paraphrase; the Natural Questions
    /// question <c>loc</c> + "?" is the one neighbourhood prompt, answered by <c>loc_ans</c>.
    /// The case id is the record's index in the file (the form has none).
    /// </summary>
    public static EditCase Read(JsonRecord record)
    {
        record.CaseId = record.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string question = record.RequiredText("src");
        string subject = record.RequiredText("subject");
        string template = SubjectTemplate.FromPrompt(question, subject)
            ?? throw record.Error($"has a question that does not contain its subject: src '{question}', subject '{subject}'");
        var answers = record.RequiredStrings("answers");
        if (answers.Count == 0) throw record.Error("has an empty 'answers' list");
        return new EditCase(
            record.CaseId,
            template,
            subject,
            record.RequiredString("alt"),
            answers[0],
            [record.RequiredText("rephrase")],
            [new NeighborhoodPrompt(record.RequiredText("loc") + "?", record.RequiredString("loc_ans"))],
            [],
            []);
    }
}
