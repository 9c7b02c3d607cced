using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Metrics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Zsre;

/// <summary>Per-case results and their summary.</summary>
internal sealed record ZsreEvaluation(IReadOnlyList<ZsreCaseResult> Cases, ZsreScores Scores);

/// <summary>Scores cases with zsRE's teacher-forced token accuracy, sharing forward passes across cases.</summary>
internal sealed class ZsreEvaluator(ICausalLanguageModel model, Gpt2Tokenizer tokenizer,
    int maxTokensPerBatch = TeacherForcedScorer.DefaultMaxTokensPerBatch)
{
    public const int CasesPerChunk = 128;

    private readonly TeacherForcedScorer scorer = new(model, maxTokensPerBatch);

    /// <param name="cases">The cases to score.</param>
    /// <param name="progress">Receives the number of cases done after each chunk.</param>
    public ZsreEvaluation Evaluate(IReadOnlyList<EditCase> cases, IProgress<int>? progress = null)
    {
        var results = new List<ZsreCaseResult>(cases.Count);
        foreach (var chunk in cases.Chunk(CasesPerChunk))
        {
            results.AddRange(EvaluateChunk(chunk));
            progress?.Report(results.Count);
        }
        return new ZsreEvaluation(results, ZsreScores.Summarize(results));
    }

    public ZsreCaseResult EvaluateCase(EditCase editCase) => EvaluateChunk([editCase])[0];

    private List<ZsreCaseResult> EvaluateChunk(IReadOnlyList<EditCase> cases)
    {
        var plan = new ScoringPlan(model, tokenizer);
        var layout = cases.Select(c => (
            Rewrite: new[] { plan.Add(c, c.RewritePrompt, c.TargetNew) },
            Paraphrase: c.ParaphrasePrompts.Select(p => plan.Add(c, p, c.TargetNew)).ToArray(),
            Neighborhood: c.NeighborhoodPrompts.Select(n => plan.Add(c, n.Prompt, n.TrueAnswer)).ToArray()))
            .ToList();
        var scores = plan.Run(scorer);
        List<TargetScore> Pick(int[] indices) => indices.Select(i => scores[i]).ToList();
        return cases.Select((c, i) => new ZsreCaseResult(c.CaseId,
            Pick(layout[i].Rewrite), Pick(layout[i].Paraphrase), Pick(layout[i].Neighborhood))).ToList();
    }
}
