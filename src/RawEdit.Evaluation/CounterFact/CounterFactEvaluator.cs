using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Metrics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.CounterFact;

/// <summary>Per-case results and their summary.</summary>
public sealed record CounterFactEvaluation(IReadOnlyList<CounterFactCaseResult> Cases, CounterFactScores Scores);

/// <summary>
/// CounterFact's probability tests (ROME, eval_utils_counterfact): every rewrite, paraphrase and
/// neighbourhood prompt is scored with the teacher-forced mean NLL of " " + TargetNew and of " " + the
/// true answer. Cases are scored in chunks so that the prompts of many cases share forward passes.
/// </summary>
public sealed class CounterFactEvaluator(ICausalLanguageModel model, Gpt2Tokenizer tokenizer,
    int maxTokensPerBatch = TeacherForcedScorer.DefaultMaxTokensPerBatch)
{
    /// <summary>Cases whose prompts go to the scorer together (about 6 sequences each in the flat form).</summary>
    public const int CasesPerChunk = 64;

    private readonly TeacherForcedScorer scorer = new(model, maxTokensPerBatch);

    /// <param name="progress">Receives the number of cases done after each chunk.</param>
    public CounterFactEvaluation Evaluate(IReadOnlyList<EditCase> cases, IProgress<int>? progress = null)
    {
        var results = new List<CounterFactCaseResult>(cases.Count);
        foreach (var chunk in cases.Chunk(CasesPerChunk))
        {
            results.AddRange(EvaluateChunk(chunk));
            progress?.Report(results.Count);
        }
        return new CounterFactEvaluation(results, CounterFactScores.Summarize(results));
    }

    public CounterFactCaseResult EvaluateCase(EditCase editCase) => EvaluateChunk([editCase])[0];

    private List<CounterFactCaseResult> EvaluateChunk(IReadOnlyList<EditCase> cases)
    {
        var plan = new ScoringPlan(model, tokenizer);
        // Per case and prompt kind: (prompt, index of the new-answer pair, index of the true-answer pair).
        var layout = cases.Select(c => (
            Rewrite: Pairs(plan, c, [c.RewritePrompt], _ => c.TargetTrue),
            Paraphrase: Pairs(plan, c, c.ParaphrasePrompts, _ => c.TargetTrue),
            Neighborhood: Pairs(plan, c, c.NeighborhoodPrompts.Select(n => n.Prompt).ToList(), i => c.NeighborhoodPrompts[i].TrueAnswer)))
            .ToList();
        var scores = plan.Run(scorer);

        List<PromptComparison> Compare(List<(string Prompt, int New, int True)> pairs) =>
            pairs.Select(p => new PromptComparison(p.Prompt, scores[p.New].MeanNll, scores[p.True].MeanNll,
                scores[p.New].AllArgmax, scores[p.True].AllArgmax)).ToList();
        return cases.Select((c, i) => new CounterFactCaseResult(c.CaseId,
            Compare(layout[i].Rewrite), Compare(layout[i].Paraphrase), Compare(layout[i].Neighborhood))).ToList();
    }

    private static List<(string Prompt, int New, int True)> Pairs(ScoringPlan plan, EditCase c, IReadOnlyList<string> prompts,
        Func<int, string> trueAnswer) =>
        prompts.Select((p, i) => (p, plan.Add(c, p, c.TargetNew), plan.Add(c, p, trueAnswer(i)))).ToList();
}
