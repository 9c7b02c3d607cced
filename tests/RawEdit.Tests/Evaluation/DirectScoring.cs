using RawEdit.Models;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Evaluation;

/// <summary>
/// The metrics' inputs computed the plain way, independently of the scorer: one unpadded sequence
/// prompt ++ " " + answer through Forward, the engine's LogSoftmax over the full logits, and the value at
/// the position just before each answer token read off by hand.
/// </summary>
internal static class DirectScoring
{
    public static LoadedModel Fixture => LazyFixture.Value;

    private static readonly Lazy<LoadedModel> LazyFixture = new(() => ModelLocator.Load(TestPaths.Fixture("fixtures/hf-tiny-gpt2")));

    public sealed record Direct(double[] LogProbabilities, bool[] IsArgmax)
    {
        public double MeanNll => -LogProbabilities.Average();
        public bool AllArgmax => IsArgmax.All(x => x);
    }

    public static Direct Score(LoadedModel loaded, string prompt, string answer) =>
        Score(loaded.Model, loaded.Tokenizer.Encode(prompt), loaded.Tokenizer.Encode(" " + answer));

    public static Direct Score(ICausalLanguageModel model, int[] prompt, int[] target)
    {
        int vocab = model.VocabSize;
        float[] logits, logProbabilities;
        using (Tape.NoGrad())
        {
            var forward = model.Forward(TokenBatch.Single([.. prompt, .. target]));
            logits = forward.ToFloatArray();
            logProbabilities = Ops.LogSoftmax(forward).ToFloatArray();
        }
        var lp = new double[target.Length];
        var argmax = new bool[target.Length];
        for (int i = 0; i < target.Length; i++)
        {
            int position = prompt.Length - 1 + i;
            lp[i] = logProbabilities[position * vocab + target[i]];
            int best = 0;
            for (int v = 1; v < vocab; v++)
                if (logits[position * vocab + v] > logits[position * vocab + best]) best = v;
            argmax[i] = best == target[i];
        }
        return new Direct(lp, argmax);
    }

    /// <summary>Logits of the next token after a prompt [V].</summary>
    public static float[] NextTokenLogits(LoadedModel loaded, string prompt)
    {
        var ids = loaded.Tokenizer.Encode(prompt);
        using var _ = Tape.NoGrad();
        var logits = loaded.Model.Forward(TokenBatch.Single(ids)).ToFloatArray();
        return logits.AsSpan((ids.Length - 1) * loaded.Model.VocabSize, loaded.Model.VocabSize).ToArray();
    }

    /// <summary>
    /// Whole words (" word" is one token and re-encodes to itself) ordered from most to least likely after the
    /// prompt, with their token ids.
    /// </summary>
    public static List<(string Word, int Id)> WordsByLikelihood(LoadedModel loaded, string prompt)
    {
        var logits = NextTokenLogits(loaded, prompt);
        return Enumerable.Range(0, logits.Length)
            .OrderByDescending(v => logits[v]).ThenBy(v => v)
            .Select(v => (Text: loaded.Tokenizer.Decode([v]), Id: v))
            .Where(t => t.Text.Length > 1 && t.Text[0] == ' ' && t.Text.Skip(1).All(char.IsLetter)
                        && loaded.Tokenizer.Encode(t.Text) is [var only] && only == t.Id)
            .Select(t => (t.Text[1..], t.Id))
            .ToList();
    }

    /// <summary>The index of the largest logit (first on ties).</summary>
    public static int ArgMax(float[] row)
    {
        int best = 0;
        for (int v = 1; v < row.Length; v++) if (row[v] > row[best]) best = v;
        return best;
    }
}
