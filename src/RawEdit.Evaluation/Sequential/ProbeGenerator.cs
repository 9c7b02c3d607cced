using System.Text;
using RawEdit.Evaluation.Datasets;
using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Sequential;

/// <summary>
/// The texts per-edit entropy and fluency are measured on: the first <see cref="RunSettings.ProbePrompts"/> of the
/// case's generation prompts (its rewrite and paraphrase prompts when it has none), each continued by
/// <see cref="RunSettings.ProbeTokens"/> tokens sampled with top-k <see cref="RunSettings.ProbeTopK"/>, seeded by
/// the run's seed and the edit's index. Like ROME's generate_fast, a text is the prompt with its continuation,
/// NFKD-normalised, blank lines turned into spaces and end-of-text markers removed. Upstream continues to 100
/// tokens; fewer keep a long run's per-edit cost down.
/// </summary>
internal sealed class ProbeGenerator(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, RunSettings settings)
{
    public List<string> Generate(EditCase c, int editIndex)
    {
        var prompts = (c.GenerationPrompts.Count > 0 ? c.GenerationPrompts : c.ParaphrasePrompts.Prepend(c.RewritePrompt))
            .Take(settings.ProbePrompts).Select(tokenizer.Encode).ToList();
        var continuations = TextGenerator.Generate(model, prompts,
            new GenerationOptions(settings.ProbeTokens, settings.ProbeTopK, settings.Seed + editIndex, StopAtEndOfText: false));
        return prompts.Select((p, i) => tokenizer.Decode([.. p, .. continuations[i]]).Normalize(NormalizationForm.FormKD)
            .Replace("\n\n", " ").Replace("<|endoftext|>", "")).ToList();
    }
}
