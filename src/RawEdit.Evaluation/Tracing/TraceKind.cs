using RawEdit.Models.Hooks;

namespace RawEdit.Evaluation.Tracing;

/// <summary>
/// What a causal trace restores from the clean run (ROME, Meng et al. 2022, Fig. 1 a–c): the residual stream after one
/// block, or the MLP outputs / the attention outputs of a window of blocks around it.
/// </summary>
internal enum TraceKind
{
    HiddenState,
    Mlp,
    Attention,
}

/// <summary>Names and hook points of the trace kinds.</summary>
internal static class TraceKinds
{
    public static readonly TraceKind[] All = [TraceKind.HiddenState, TraceKind.Mlp, TraceKind.Attention];

    /// <summary>The name used in tables, JSON and plots (upstream's <c>kind</c>: None, "mlp", "attn").</summary>
    public static string Name(TraceKind kind) => kind switch
    {
        TraceKind.HiddenState => "hidden",
        TraceKind.Mlp => "mlp",
        TraceKind.Attention => "attn",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The activation a kind restores: the block output, or the MLP / attention output before its residual add.</summary>
    public static HookPoint Point(TraceKind kind) => kind switch
    {
        TraceKind.HiddenState => HookPoint.BlockOut,
        TraceKind.Mlp => HookPoint.MlpOut,
        TraceKind.Attention => HookPoint.AttentionOut,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// The layers restored when tracing <paramref name="layer"/>: that layer alone for hidden states; otherwise the
    /// <paramref name="window"/> layers [layer − ⌊w/2⌋, layer + ⌈w/2⌉) clipped to [0, layers), as upstream's
    /// <c>range(max(0, layer - window // 2), min(n, layer - (-window // 2)))</c>.
    /// </summary>
    public static IEnumerable<int> RestoredLayers(TraceKind kind, int layer, int window, int layers)
    {
        if (kind == TraceKind.HiddenState) return [layer];
        int first = Math.Max(0, layer - window / 2), end = Math.Min(layers, layer + (window + 1) / 2);
        return Enumerable.Range(first, end - first);
    }
}
