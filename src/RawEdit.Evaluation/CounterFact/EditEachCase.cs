using RawEdit.Evaluation.Datasets;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.CounterFact;

/// <summary>
/// Single-edit CounterFact evaluation as ROME reports it: for each case, edit the model for that case alone,
/// score the case's prompts on the edited model, then revert exactly, so every case starts from the unedited model.
/// </summary>
internal static class EditEachCase
{
    /// <param name="model">The model the edits change and the prompts are scored on.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="cases">The cases, each edited alone.</param>
    /// <param name="edit">Applies the edit of one case and returns the action that reverts it.</param>
    /// <param name="progress">Receives the number of cases done.</param>
    public static CounterFactEvaluation Evaluate(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<EditCase> cases,
        Func<EditCase, Action> edit, IProgress<int>? progress = null)
    {
        var evaluator = new CounterFactEvaluator(model, tokenizer);
        var results = new List<CounterFactCaseResult>(cases.Count);
        foreach (var c in cases)
        {
            var revert = edit(c);
            try
            {
                results.Add(evaluator.EvaluateCase(c));
            }
            finally
            {
                revert();
            }
            progress?.Report(results.Count);
        }
        return new CounterFactEvaluation(results, CounterFactScores.Summarize(results));
    }
}
