using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Evaluation.Tracing;

/// <summary>
/// Causal tracing (Meng et al. 2022, "Locating and Editing Factual Associations in GPT", Sec. 2.1). Three runs of a
/// prompt whose next token should be the target:
///   clean:     p(target) as the model computes it;
///   corrupted: Gaussian noise added to the subject tokens' embeddings, p* = p(target);
///   restored:  corrupted, but one state h_t^(l) (or the MLP / attention outputs of a window of layers) set back to its
///              clean value: p*_restored.
/// The indirect effect of that state is p*_restored − p*. Noise draws are averaged: p = mean over samples s of p_s.
///
/// Shapes: T prompt tokens, n subject tokens, C width, S noise samples, G restorations in one pass. One pass runs a
/// batch of 1 + G·S copies of the prompt: copy 0 stays clean and is the source of every restored state; copies
/// 1 + g·S … g·S + S are the S corrupted runs of restoration g (one noise draw each, the same draws for every g), so a
/// restored state is the clean state of the same forward pass, as upstream's <c>trace_with_patch</c>.
/// </summary>
internal sealed class CausalTracer
{
    private readonly ICausalLanguageModel model;
    private readonly Gpt2Tokenizer tokenizer;
    private readonly int window, rowsPerPass;

    /// <param name="model">GPT-2 or GPT-J.</param>
    /// <param name="tokenizer">Spells the traced tokens in the result.</param>
    /// <param name="window">Layers restored together by the MLP and attention traces (upstream: 10).</param>
    /// <param name="rowsPerPass">Token rows one forward pass may hold (bounds memory; at least one restoration runs per pass).</param>
    public CausalTracer(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, int window = 10, int rowsPerPass = 4096)
    {
        this.tokenizer = tokenizer;
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), $"the window must be at least one layer (got {window})");
        this.model = model;
        this.window = window;
        this.rowsPerPass = Math.Max(1, rowsPerPass);
    }

    /// <summary>One restoration: the clean value of <see cref="Token"/> at each site (hook point, layer).</summary>
    private sealed record Restoration(int Token, (HookPoint Point, int Layer)[] Sites);

    /// <summary>
    /// Traces every (token, layer) for the three kinds. <paramref name="noise"/> [S, n, C] is added to the token
    /// embeddings of <paramref name="subject"/> (n tokens) in corrupted run s.
    /// </summary>
    /// <exception cref="ArgumentException">The subject lies outside the prompt, the noise has the wrong shape, or the target is not a token.</exception>
    public CausalTrace Trace(int[] ids, TokenSpan subject, int target, Tensor noise)
    {
        CheckInputs(ids, subject, target, noise);
        int T = ids.Length, L = model.Layers;
        var restorations = new List<Restoration> { new(0, []) };   // nothing restored: the corrupted baseline
        foreach (var kind in TraceKinds.All)
            for (int t = 0; t < T; t++)
                for (int l = 0; l < L; l++)
                    restorations.Add(new(t, TraceKinds.RestoredLayers(kind, l, window, L).Select(layer => (TraceKinds.Point(kind), layer)).ToArray()));

        var (clean, probabilities) = RestoredProbabilities(ids, subject, target, noise, restorations);
        var restored = new Dictionary<string, double[][]>();
        int next = 1;
        foreach (var kind in TraceKinds.All)
        {
            var map = new double[T][];
            for (int t = 0; t < T; t++)
            {
                map[t] = new double[L];
                for (int l = 0; l < L; l++) map[t][l] = probabilities[next++];
            }
            restored[TraceKinds.Name(kind)] = map;
        }
        return new CausalTrace
        {
            Tokens = ids.Select(tokenizer.DecodeToken).ToArray(), Subject = subject, TargetId = target, Target = tokenizer.DecodeToken(target),
            Samples = noise.Shape[0], Window = window, Layers = L,
            Clean = clean, Corrupted = probabilities[0], Restored = restored,
        };
    }

    /// <summary>The model's greedy next token after the clean prompt (upstream traces the model's own prediction).</summary>
    public int PredictNext(int[] ids)
    {
        using var _ = Tape.NoGrad();
        var head = VocabularyHead.Of(model);
        var hidden = model.HiddenStates(TokenBatch.Single(ids));                                          // [1,T,C]
        return head.ArgMax(head.Logits(model, Ops.GatherRows(hidden, [ids.Length - 1])).ToFloatArray());  // logits [W]
    }

    /// <summary>p(target) in the clean copy, and the mean over the noise samples for each restoration, in order.</summary>
    private (double Clean, double[] Restored) RestoredProbabilities(int[] ids, TokenSpan subject, int target, Tensor noise, IReadOnlyList<Restoration> restorations)
    {
        int T = ids.Length, S = noise.Shape[0];
        int perPass = Math.Max(1, (rowsPerPass / T - 1) / S);
        var result = new double[restorations.Count];
        double clean = double.NaN;
        for (int first = 0; first < restorations.Count; first += perPass)
        {
            var chunk = restorations.Skip(first).Take(perPass).ToList();
            var probabilities = OnePass(ids, subject, target, noise, chunk);   // [1 + G·S]
            clean = probabilities[0];
            for (int g = 0; g < chunk.Count; g++)
                result[first + g] = probabilities.Skip(1 + g * S).Take(S).Average();
        }
        return (clean, result);
    }

    // One forward pass over 1 + G·S copies → p(target) at the last token of each copy [1 + G·S].
    private double[] OnePass(int[] ids, TokenSpan subject, int target, Tensor noise, IReadOnlyList<Restoration> chunk)
    {
        int T = ids.Length, S = noise.Shape[0], copies = 1 + chunk.Count * S;
        using var _ = Tape.NoGrad();
        var batch = new TokenBatch(Enumerable.Repeat(ids, copies).ToList(), padId: 0);
        var hooks = new ForwardHooks();
        hooks.Add(HookPoint.TokenEmbedding, 0, x => AddNoise(x, noise, subject, chunk.Count, T));
        foreach (var site in chunk.SelectMany(r => r.Sites).Distinct())
            hooks.Add(site.Point, site.Layer, x => RestoreClean(x, chunk, site, S, T));

        var hidden = model.HiddenStates(batch, hooks);                                            // [copies,T,C]
        var last = Ops.GatherRows(hidden, Enumerable.Range(0, copies).Select(b => b * T + T - 1).ToArray());  // [copies,C]
        var head = VocabularyHead.Covering(model, [target]);
        var probabilities = Ops.PickColumns(Ops.Softmax(head.Logits(model, last)), Enumerable.Repeat(head.Column(target), copies).ToArray());  // [copies]
        return probabilities.ToFloatArray().Select(p => (double)p).ToArray();
    }

    // x [copies,T,C] → x with noise[s, j] added at token subject.Start + j of corrupted copy 1 + g·S + s, for every g.
    private static Tensor AddNoise(Tensor x, Tensor noise, TokenSpan subject, int groups, int T)
    {
        int S = noise.Shape[0], n = subject.Length, C = x.Shape[^1];
        var rows = new int[groups * S * n];
        var sources = new int[rows.Length];
        int i = 0;
        for (int g = 0; g < groups; g++)
            for (int s = 0; s < S; s++)
                for (int j = 0; j < n; j++, i++)
                {
                    rows[i] = (1 + g * S + s) * T + subject.Start + j;
                    sources[i] = s * n + j;
                }
        var table = Ops.Reshape(noise.DType == x.DType ? noise : noise.To(x.DType), S * n, C);  // [S·n, C]
        return Ops.Reshape(Ops.AddRows(Ops.Reshape(x, -1, C), rows, Ops.GatherRows(table, sources)), x.Shape);
    }

    // x [copies,T,W] → x with row (1 + g·S + s, t_g) replaced by the clean copy's row (0, t_g) for each restoration g at this site.
    private static Tensor RestoreClean(Tensor x, IReadOnlyList<Restoration> chunk, (HookPoint, int) site, int S, int T)
    {
        var flat = Ops.Reshape(x, -1, x.Shape[^1]);
        var source = Enumerable.Range(0, flat.Shape[0]).ToArray();
        for (int g = 0; g < chunk.Count; g++)
        {
            if (!chunk[g].Sites.Contains(site)) continue;
            for (int s = 0; s < S; s++) source[(1 + g * S + s) * T + chunk[g].Token] = chunk[g].Token;
        }
        return Ops.Reshape(Ops.GatherRows(flat, source), x.Shape);   // a gather copies rows exactly: the restored state is bit-equal to the clean one
    }

    private void CheckInputs(int[] ids, TokenSpan subject, int target, Tensor noise)
    {
        if (ids.Length == 0) throw new ArgumentException("the prompt has no tokens");
        subject.CheckInside(ids.Length);
        if ((uint)target >= (uint)model.VocabSize) throw new ArgumentException($"target token {target} outside the vocabulary of {model.VocabSize}");
        if (noise.Rank != 3 || noise.Shape[1] != subject.Length || noise.Shape[2] != model.Embedding || noise.Shape[0] < 1)
            throw new ArgumentException($"noise {Shape.Format(noise.Shape)} is not [samples ≥ 1, {subject.Length} subject tokens, {model.Embedding}]");
    }
}
