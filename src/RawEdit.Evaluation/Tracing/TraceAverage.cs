namespace RawEdit.Evaluation.Tracing;

/// <summary>
/// The indirect effect averaged over many traced prompts per token role and layer (ROME's Figure 2): for each prompt, the
/// mean effect over its tokens of a role; then the mean over the prompts that have that role. The layer where the MLP
/// trace peaks at the last subject token is where ROME edits.
/// </summary>
internal sealed class TraceAverage
{
    private readonly int layers;
    private readonly Dictionary<(TraceKind, TokenRole), double[]> sums = new();   // [L] summed per-prompt means
    private readonly Dictionary<TokenRole, int> prompts = new();
    private double cleanSum, corruptedSum;

    public TraceAverage(int layers) => this.layers = layers;

    /// <summary>Prompts added.</summary>
    public int Prompts { get; private set; }

    public double MeanClean => cleanSum / Prompts;
    public double MeanCorrupted => corruptedSum / Prompts;

    /// <exception cref="ArgumentException">The trace is of a model with another number of layers.</exception>
    public void Add(CausalTrace trace)
    {
        if (trace.Layers != layers) throw new ArgumentException($"a trace of {trace.Layers} layers cannot join an average over {layers}");
        int T = trace.Tokens.Length;
        foreach (var role in TokenRoles.Averaged)
        {
            var tokens = Enumerable.Range(0, T).Where(t => TokenRoles.Of(t, trace.Subject, T) == role).ToArray();
            if (tokens.Length == 0) continue;
            prompts[role] = prompts.GetValueOrDefault(role) + 1;
            foreach (var kind in TraceKinds.All)
            {
                var effect = trace.IndirectEffect(kind);   // [T][L]
                if (!sums.TryGetValue((kind, role), out var sum)) sums[(kind, role)] = sum = new double[layers];
                for (int l = 0; l < layers; l++) sum[l] += tokens.Average(t => effect[t][l]);
            }
        }
        cleanSum += trace.Clean;
        corruptedSum += trace.Corrupted;
        Prompts++;
    }

    /// <summary>
    /// An average read back from its stored form (<see cref="TraceJson"/>): prompt counts, mean clean / corrupted p and
    /// the mean effect [L] per (kind, role); each mean is kept as the sum it came from.
    /// </summary>
    public static TraceAverage Restore(int layers, int promptCount, double meanClean, double meanCorrupted,
        IReadOnlyDictionary<TokenRole, int> promptsPerRole, IReadOnlyDictionary<(TraceKind Kind, TokenRole Role), double[]> means)
    {
        if (layers < 1 || promptCount < 1) throw new InvalidDataException($"an average needs layers and prompts (got {layers} layers, {promptCount} prompts)");
        var average = new TraceAverage(layers) { Prompts = promptCount, cleanSum = meanClean * promptCount, corruptedSum = meanCorrupted * promptCount };
        foreach (var (role, count) in promptsPerRole)
        {
            if (count < 1 || count > promptCount) throw new InvalidDataException($"{count} prompts with a {TokenRoles.Name(role)} of {promptCount} traced");
            average.prompts[role] = count;
            foreach (var kind in TraceKinds.All)
            {
                if (!means.TryGetValue((kind, role), out var mean)) throw new InvalidDataException($"no {TraceKinds.Name(kind)} mean at the {TokenRoles.Name(role)}");
                if (mean.Length != layers || mean.Any(m => !double.IsFinite(m)))
                    throw new InvalidDataException($"the {TraceKinds.Name(kind)} mean at the {TokenRoles.Name(role)} is not {layers} finite values");
                average.sums[(kind, role)] = mean.Select(m => m * count).ToArray();
            }
        }
        foreach (var (_, role) in means.Keys)
            if (!average.prompts.ContainsKey(role)) throw new InvalidDataException($"a mean at the {TokenRoles.Name(role)} but no prompt count for it");
        return average;
    }

    /// <summary>Layers of the traced model.</summary>
    public int Layers => layers;

    /// <summary>Prompts that have a token of <paramref name="role"/>.</summary>
    public int PromptsWith(TokenRole role) => prompts.GetValueOrDefault(role);

    /// <summary>Mean indirect effect per layer [L] (NaN where no prompt has the role).</summary>
    public double[] Mean(TraceKind kind, TokenRole role) =>
        sums.TryGetValue((kind, role), out var sum) ? sum.Select(s => s / prompts[role]).ToArray() : Enumerable.Repeat(double.NaN, layers).ToArray();

    /// <summary>The layer with the largest mean indirect effect (the first on ties).</summary>
    /// <exception cref="InvalidOperationException">No prompt has the role.</exception>
    public int PeakLayer(TraceKind kind, TokenRole role)
    {
        if (PromptsWith(role) == 0) throw new InvalidOperationException($"no traced prompt has a {TokenRoles.Name(role)}");
        var mean = Mean(kind, role);
        return Array.IndexOf(mean, mean.Max());
    }
}
