using RawEdit.Models;
using RawEdit.Models.Tokenization;
using RawEdit.Evaluation.Metrics;

namespace RawEdit.Evaluation.World;

/// <summary>Fractions of facts recalled in full by greedy decoding, per kind of prompt.</summary>
internal sealed record WorldRecallScores(double Rewrite, double HeldOutParaphrase, double TrainedParaphrase, double NeverTrained, int Facts);

/// <summary>
/// Does the model complete a prompt with the whole object? Greedy decoding emits exactly the object's tokens
/// iff, teacher-forced on prompt + " " + object, every object token is the argmax at its position, so one
/// batched forward pass per group of prompts decides it.
/// </summary>
internal static class WorldRecall
{
    public static WorldRecallScores Measure(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, FactWorld world, int? factLimit = null, int batchSize = 128)
    {
        var facts = factLimit is null ? world.Facts : world.Facts.Take(factLimit.Value).ToList();
        double Rate(IEnumerable<(string Prompt, string Object)> items)
        {
            var list = items.ToList();
            return list.Count == 0 ? double.NaN : RecalledFraction(model, tokenizer, list, batchSize);
        }
        return new WorldRecallScores(
            Rate(facts.Select(f => (world.RewritePrompt(f), f.TrueObject))),
            Rate(facts.SelectMany(f => world.HeldOutParaphrases(f).Select(p => (p, f.TrueObject)))),
            Rate(facts.SelectMany(f => world.TrainedParaphrases(f).Select(p => (p, f.TrueObject)))),
            Rate(facts.SelectMany(f => world.NeverTrainedPrompts(f).Select(p => (p, f.TrueObject)))),
            facts.Count);
    }

    /// <summary>Fraction of (prompt, object) pairs whose object greedy decoding reproduces token for token.</summary>
    public static double RecalledFraction(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<(string Prompt, string Object)> items, int batchSize = 128)
    {
        var requests = items.Select(i => new ScoringRequest(tokenizer.Encode(i.Prompt), tokenizer.Encode(" " + i.Object))).ToList();
        var scores = new TeacherForcedScorer(model, maxTokensPerBatch: batchSize * 32).Score(requests);
        return (double)scores.Count(s => s.AllArgmax) / items.Count;
    }
}
