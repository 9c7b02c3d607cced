using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Metrics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.CounterFact;

/// <summary>Per-case results and their summary.</summary>
/// <param name="Cases">Each case's prompt comparisons, in input order.</param>
/// <param name="Scores">The summary over all cases.</param>
public sealed record CounterFactEvaluation(IReadOnlyList<CounterFactCaseResult> Cases, CounterFactScores Scores);

/// <summary>
/// CounterFact's probability tests (ROME, eval_utils_counterfact): every rewrite, paraphrase and
/// neighbourhood prompt is scored with the teacher-forced mean NLL of " " + TargetNew and of " " + the
/// true answer. Cases are scored in chunks so that the prompts of many cases share forward passes.
/// </summary>
public sealed class CounterFactEvaluator
{
    /// <summary>Cases whose prompts go to the scorer together (about 6 sequences each in the flat form).</summary>
    public const int CasesPerChunk = 64;

    private readonly ICausalLanguageModel model;
    private readonly Gpt2Tokenizer tokenizer;
    private readonly TeacherForcedScorer scorer;

    /// <summary>An evaluator of <paramref name="model"/> as it is at each call (edits applied in between are seen).</summary>
    public CounterFactEvaluator(LoadedModel model) : this(model.Model, model.Tokenizer) { }

    internal CounterFactEvaluator(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, int maxTokensPerBatch = TeacherForcedScorer.DefaultMaxTokensPerBatch)
    {
        this.model = model;
        this.tokenizer = tokenizer;
        scorer = new TeacherForcedScorer(model, maxTokensPerBatch);
    }

    /// <summary>Scores every case's rewrite, paraphrase and neighbourhood prompts, and summarises them.</summary>
    /// <param name="cases">The cases (from <see cref="EditCaseReader"/>).</param>
    /// <param name="progress">Receives the number of cases done after each chunk.</param>
    /// <param name="cancellationToken">Checked between chunks of <see cref="CasesPerChunk"/> cases.</param>
    public CounterFactEvaluation Evaluate(IReadOnlyList<EditCase> cases, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new List<CounterFactCaseResult>(cases.Count);
        foreach (var chunk in cases.Chunk(CasesPerChunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.AddRange(EvaluateChunk(chunk));
            progress?.Report(results.Count);
        }
        return new CounterFactEvaluation(results, CounterFactScores.Summarize(results));
    }

    /// <summary>Scores one case's prompts.</summary>
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
