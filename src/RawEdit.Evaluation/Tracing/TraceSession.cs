using RawEdit.Evaluation.Datasets;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Tracing;

/// <summary>How to trace: noise draws, the MLP/attention window, the noise seed, and the noise scale (null: 3σ of the subjects' embeddings).</summary>
internal sealed record TraceSettings(int Samples = 10, int Window = 10, int Seed = 1, double? NoiseScale = null)
{
    /// <exception cref="ArgumentException">A count is not positive or the scale is negative.</exception>
    public void Validate()
    {
        if (Samples < 1) throw new ArgumentException($"the number of noise samples must be at least 1 (got {Samples})");
        if (Window < 1) throw new ArgumentException($"the window must be at least 1 layer (got {Window})");
        if (NoiseScale is < 0 or double.NaN) throw new ArgumentException($"the noise scale must not be negative (got {NoiseScale})");
    }
}

/// <summary>Traces prompts given as text: finds the subject's tokens, the target, draws the noise, and averages over datasets.</summary>
internal sealed class TraceSession
{
    private readonly Gpt2Tokenizer tokenizer;
    private readonly TraceSettings settings;
    private readonly CausalTracer tracer;
    private readonly int width, maxPositions;

    /// <param name="model">The model traced.</param>
    /// <param name="tokenizer">Its tokenizer (prompts, subjects and targets are given as text).</param>
    /// <param name="settings">Samples, window and seed.</param>
    /// <param name="noiseScale">The noise's standard deviation (e.g. <see cref="TraceNoise.StdMultiple"/> × <see cref="TraceNoise.EmbeddingStd(ICausalLanguageModel, Gpt2Tokenizer, IEnumerable{string})"/>).</param>
    public TraceSession(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, TraceSettings settings, double noiseScale)
    {
        settings.Validate();
        this.tokenizer = tokenizer;
        this.settings = settings;
        NoiseScale = noiseScale;
        tracer = new CausalTracer(model, tokenizer, settings.Window);
        width = model.Embedding;
        maxPositions = model.MaxPositions;
    }

    public double NoiseScale { get; }

    /// <summary>
    /// Traces <paramref name="prompt"/>'s next token: the first token of <paramref name="target"/> (its text as it follows the
    /// prompt, e.g. " Paris"), or the model's own prediction when null.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty or too long, the subject is not in it, or the target has no token.</exception>
    public CausalTrace TracePrompt(string prompt, string subject, string? target = null)
    {
        var ids = Encode(prompt);
        var span = TokenSpan.Locate(tokenizer, ids, subject);
        int next = target is null ? tracer.PredictNext(ids) : FirstToken(target);
        return Trace(ids, span, next);
    }

    /// <summary>
    /// Averages the indirect effect over the rewrite prompts of <paramref name="cases"/> the model knows: those whose clean
    /// prediction is the first token of " " + TargetTrue (upstream traces its "known" facts). Returns the average, the
    /// traces, and how many cases were skipped as unknown.
    /// </summary>
    public (TraceAverage Average, IReadOnlyList<CausalTrace> Traces, int Unknown) Average(IReadOnlyList<EditCase> cases, int layers, Action<int, int>? progress = null)
    {
        var average = new TraceAverage(layers);
        var traces = new List<CausalTrace>();
        int unknown = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var ids = Encode(cases[i].RewritePrompt);
            int truth = FirstToken(" " + cases[i].TargetTrue.Trim());
            if (tracer.PredictNext(ids) != truth) unknown++;
            else
            {
                var trace = Trace(ids, TokenSpan.Locate(tokenizer, ids, cases[i].Subject), truth);
                average.Add(trace);
                traces.Add(trace);
            }
            progress?.Invoke(i + 1, cases.Count);
        }
        return (average, traces, unknown);
    }

    private CausalTrace Trace(int[] ids, TokenSpan subject, int target)
    {
        var noise = TraceNoise.Draw(settings.Seed, NoiseScale, settings.Samples, subject.Length, width);   // [S, n, C]
        return tracer.Trace(ids, subject, target, noise) with { NoiseScale = NoiseScale };
    }

    private int[] Encode(string prompt)
    {
        var ids = tokenizer.Encode(prompt);
        if (ids.Length == 0) throw new ArgumentException("the prompt is empty");
        if (ids.Length > maxPositions) throw new ArgumentException($"the prompt has {ids.Length} tokens; the model takes at most {maxPositions}");
        return ids;
    }

    private int FirstToken(string text)
    {
        var ids = tokenizer.Encode(text);
        return ids.Length > 0 ? ids[0] : throw new ArgumentException($"the target '{text}' has no tokens");
    }
}
