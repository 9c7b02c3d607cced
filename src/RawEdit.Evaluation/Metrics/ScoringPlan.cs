using RawEdit.Evaluation.Datasets;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Metrics;

/// <summary>
/// Collects the (prompt, " " + answer) pairs of many edit cases so they are scored in shared batches.
/// Texts are tokenised once each; a pair that cannot fit the model is refused naming its case.
/// </summary>
internal sealed class ScoringPlan(ICausalLanguageModel model, Gpt2Tokenizer tokenizer)
{
    private readonly List<ScoringRequest> requests = new();
    private readonly Dictionary<string, int[]> encoded = new(StringComparer.Ordinal);

    /// <summary>Adds prompt → " " + answer and returns its index in <see cref="Run"/>'s result.</summary>
    public int Add(EditCase editCase, string prompt, string answer)
    {
        int[] promptIds = Encode(prompt), targetIds = Encode(" " + answer);
        if (promptIds.Length == 0) throw new ArgumentException($"case {editCase.CaseId}: a prompt tokenises to nothing");
        if (promptIds.Length + targetIds.Length > model.MaxPositions)
            throw new ArgumentException($"case {editCase.CaseId}: prompt '{prompt}' with answer '{answer}' is " +
                                        $"{promptIds.Length + targetIds.Length} tokens; the model takes at most {model.MaxPositions}");
        requests.Add(new ScoringRequest(promptIds, targetIds));
        return requests.Count - 1;
    }

    public IReadOnlyList<TargetScore> Run(TeacherForcedScorer scorer) => scorer.Score(requests);

    private int[] Encode(string text)
    {
        if (!encoded.TryGetValue(text, out var ids)) encoded[text] = ids = tokenizer.Encode(text);
        return ids;
    }
}
