using RawEdit.Evaluation.World;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Cli.Commands;

/// <summary>
/// Text corpora for second-moment statistics: a file (one document per non-empty line) or a shipped model's own world
/// by its training preset's name (tiny-world, small-world): the sentences it was trained on.
/// </summary>
internal static class Corpora
{
    public sealed record Corpus(string Hash, IEnumerable<int[]> Documents);

    public static Corpus Open(string corpus, Gpt2Tokenizer tokenizer)
    {
        if (TrainingPresets.All.FirstOrDefault(p => p.Name == corpus) is { } preset)
        {
            var texts = WorldCorpus.RenderTexts(FactWorld.Generate(preset.World));
            return new Corpus(ModelFingerprint.OfText(texts), texts.Select(tokenizer.Encode));
        }
        if (!File.Exists(corpus))
            throw new FileNotFoundException($"corpus not found: {corpus} (a text file, or one of {string.Join(", ", TrainingPresets.All.Select(p => p.Name))})");
        var lines = File.ReadLines(corpus).Where(l => !string.IsNullOrWhiteSpace(l));
        return new Corpus(ModelFingerprint.OfText(File.ReadLines(corpus)), lines.Select(tokenizer.Encode));
    }
}
