using RawEdit.Models;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors;

namespace RawEdit.Evaluation.Tracing;

/// <summary>
/// The Gaussian noise that corrupts the subject in a causal trace. ROME sets its scale to 3σ, σ the standard deviation
/// of the token-embedding entries over a sample of subjects (upstream's <c>collect_embedding_std</c>, noise level "s3").
/// </summary>
internal static class TraceNoise
{
    /// <summary>Upstream's multiple of σ.</summary>
    public const double StdMultiple = 3.0;

    /// <summary>
    /// σ: the sample standard deviation (n − 1 in the denominator, as torch's <c>std()</c>) of every entry of the
    /// token embeddings wte[ids] of each subject tokenised alone.
    /// </summary>
    /// <exception cref="ArgumentException">No subject gives a token.</exception>
    public static double EmbeddingStd(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IEnumerable<string> subjects)
    {
        var ids = subjects.SelectMany(tokenizer.Encode).ToArray();
        return EmbeddingStd(model, ids);
    }

    /// <summary>σ over the token-embedding rows of <paramref name="ids"/> (a token repeated counts each time).</summary>
    public static double EmbeddingStd(ICausalLanguageModel model, int[] ids)
    {
        if (ids.Length == 0) throw new ArgumentException("no subject tokens to measure the embedding spread on");
        var rows = Ops.GatherRows(model.Parameters["transformer.wte.weight"], ids).ToFloatArray();   // [n·C]
        if (rows.Length < 2) throw new ArgumentException("the embedding spread needs at least two entries");
        double mean = rows.Average(v => (double)v), squares = 0;
        foreach (float v in rows) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / (rows.Length - 1));
    }

    /// <summary>Noise [samples, tokens, width] ~ N(0, scale²) from a seeded generator, one draw per corrupted run.</summary>
    public static Tensor Draw(int seed, double scale, int samples, int tokens, int width) =>
        Tensor.RandomNormal(seed, scale, DType.F32, samples, tokens, width);
}
