namespace RawEdit.Evaluation.Downstream;

/// <summary>One labelled example: a sentence, or a pair for MRPC and RTE.</summary>
internal sealed record GlueExample(string Sentence1, string? Sentence2, int Label);

/// <summary>
/// A few-shot classification task as the forgetting study prompts it: the fixed few-shot context, then the
/// example's query ending in <see cref="AnswerMarker"/>. The answer is read from the decoded output (prompt and
/// continuation): the text after the last <see cref="AnswerMarker"/>, trimmed; the first of
/// <see cref="LabelWords"/> it contains (in that order) gives the label, none gives −1 (invalid).
/// </summary>
internal sealed record GlueTask(string Name, string FileName, string FewShotContext, Func<GlueExample, string> Query, string AnswerMarker,
    IReadOnlyList<(string Word, int Label)> LabelWords)
{
    public string Prompt(GlueExample example) => FewShotContext + Query(example);

    public int ParseAnswer(string decodedOutput)
    {
        int at = decodedOutput.LastIndexOf(AnswerMarker, StringComparison.Ordinal);
        string answer = (at < 0 ? decodedOutput : decodedOutput[(at + AnswerMarker.Length)..]).Trim();
        foreach (var (word, label) in LabelWords)
            if (answer.Contains(word, StringComparison.Ordinal)) return label;
        return ClassificationScores.InvalidAnswer;
    }
}
