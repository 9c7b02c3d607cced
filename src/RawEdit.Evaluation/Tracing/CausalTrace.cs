namespace RawEdit.Evaluation.Tracing;

/// <summary>
/// One traced prompt. Probabilities are of <see cref="TargetId"/> as the next token after the prompt, averaged over
/// the noise samples; <see cref="Restored"/>[kind][t][l] is that probability in the corrupted run with (token t,
/// layer l) restored from the clean run (for MLP and attention: the window of layers around l).
/// </summary>
internal sealed record CausalTrace
{
    public required string[] Tokens { get; init; }
    public required TokenSpan Subject { get; init; }
    public required int TargetId { get; init; }
    public required string Target { get; init; }
    /// <summary>The noise's standard deviation when the caller drew it (NaN when the noise was given).</summary>
    public double NoiseScale { get; init; } = double.NaN;
    public required int Samples { get; init; }
    public required int Window { get; init; }
    public required int Layers { get; init; }

    /// <summary>p(target) with nothing corrupted.</summary>
    public required double Clean { get; init; }

    /// <summary>p(target) with the subject's embeddings corrupted and nothing restored.</summary>
    public required double Corrupted { get; init; }

    /// <summary>[kind name][token][layer]: p(target) with that state restored (kind names from <see cref="TraceKinds.Name"/>).</summary>
    public required IReadOnlyDictionary<string, double[][]> Restored { get; init; }

    /// <summary>Indirect effect of (token, layer): restored − corrupted, [token][layer].</summary>
    public double[][] IndirectEffect(TraceKind kind) =>
        Restored[TraceKinds.Name(kind)].Select(row => row.Select(p => p - Corrupted).ToArray()).ToArray();

    /// <summary>Clean − corrupted: how much the corruption removes, the most a restoration can give back.</summary>
    public double TotalEffect => Clean - Corrupted;
}
