using RawEdit.Editing.Requests;
using RawEdit.Evaluation.Metrics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Saving;

/// <summary>
/// One request's target probability P(target | prompt) = Πᵢ p(targetᵢ | prompt, target₍&lt;ᵢ₎) on the model in memory and on
/// the model as saved (read back from its folder).
/// </summary>
/// <param name="CaseId">The request's case id, if any.</param>
/// <param name="Prompt">The edit prompt, subject filled in.</param>
/// <param name="Target">The new target.</param>
/// <param name="InMemoryProbability">P(target | prompt) on the model in memory.</param>
/// <param name="SavedProbability">P(target | prompt) on the model read back from its folder.</param>
public sealed record SavedEditScore(string? CaseId, string Prompt, string Target, double InMemoryProbability, double SavedProbability);

/// <summary>
/// Checks that a saved model still carries its edits: reads the saved folder back and scores each request's target on
/// its edit prompt there and on the model in memory (teacher forcing, the prompt only: one short forward pass each).
/// </summary>
public static class SavedEditCheck
{
    /// <summary>Scores <paramref name="requests"/> on <paramref name="inMemory"/> and on the model saved in <paramref name="savedFolder"/>.</summary>
    public static IReadOnlyList<SavedEditScore> Run(LoadedModel inMemory, string savedFolder, IReadOnlyList<EditRequest> requests) =>
        Run(inMemory.Model, savedFolder, inMemory.Tokenizer, requests);

    /// <summary>Scores <paramref name="requests"/> on <paramref name="inMemory"/> and on the model saved in <paramref name="savedFolder"/>.</summary>
    internal static IReadOnlyList<SavedEditScore> Run(ICausalLanguageModel inMemory, string savedFolder, Gpt2Tokenizer tokenizer, IReadOnlyList<EditRequest> requests)
    {
        var saved = ModelCheckpoint.LoadOnDefaultBackend(savedFolder, WeightPrecisions.FromEnvironment()).Model;
        return Compare(inMemory, saved, tokenizer, requests);
    }

    /// <summary>Scores <paramref name="requests"/> on two models, in request order.</summary>
    internal static IReadOnlyList<SavedEditScore> Compare(ICausalLanguageModel inMemory, ICausalLanguageModel saved, Gpt2Tokenizer tokenizer, IReadOnlyList<EditRequest> requests)
    {
        var scoring = requests.Select(r => new ScoringRequest(tokenizer.Encode(r.FilledPrompt), tokenizer.Encode(" " + r.TargetNew.Trim()))).ToList();
        var before = new TeacherForcedScorer(inMemory).Score(scoring);
        var after = new TeacherForcedScorer(saved).Score(scoring);
        return requests.Select((r, i) => new SavedEditScore(r.CaseId, r.FilledPrompt, r.TargetNew,
            Math.Exp(before[i].LogProbabilities.Sum()), Math.Exp(after[i].LogProbabilities.Sum()))).ToList();
    }
}
