using RawEdit.Tensors;

namespace RawEdit.Editing.Mend;

/// <summary>One low-rank residual layer: U [D, r], V [r, D], b [D], per-mode scale and shift [modes, D].</summary>
internal sealed record ResidualLayer(Tensor U, Tensor V, Tensor Bias, Tensor ModeScale, Tensor ModeShift)
{
    public IEnumerable<(string Name, Tensor Value)> Parameters() =>
        [("u", U), ("v", V), ("bias", Bias), ("mode_scale", ModeScale), ("mode_shift", ModeShift)];
}

/// <summary>
/// MEND's editor for one weight shape (nn.py IDMLP, "combine" and "shared"). Shapes: u [N, in], δ [N, out],
/// x [N, D] with D = in + out, r = min(rank, D).
///   x = [ũ; δ̃],  then per layer  x ← x + max(0, s_m ⊙ (U V x + b) + t_m)
/// with the normalised inputs ũ, δ̃ (running statistics, constants) and m the matrix's mode. U = 0 and
/// V ~ N(0, 1) at init, so the network starts as the identity.
/// </summary>
internal sealed class EditorNetwork
{
    private EditorNetwork(int inputWidth, int outputWidth, int modes, IReadOnlyList<ResidualLayer> layers)
    {
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
        Modes = modes;
        Layers = layers;
        InputStatistics = new RunningStatistics(inputWidth);
        GradientStatistics = new RunningStatistics(outputWidth);
    }

    public int InputWidth { get; }
    public int OutputWidth { get; }
    public int Modes { get; }
    public IReadOnlyList<ResidualLayer> Layers { get; }
    public RunningStatistics InputStatistics { get; }
    public RunningStatistics GradientStatistics { get; }
    public int Width => InputWidth + OutputWidth;

    /// <summary>The key of the weight shape this network serves, e.g. "128x512" (input x output width).</summary>
    public string Key => ShapeKey(InputWidth, OutputWidth);

    public static string ShapeKey(int inputWidth, int outputWidth) => $"{inputWidth}x{outputWidth}";

    public static EditorNetwork Create(int inputWidth, int outputWidth, int modes, int rank, int hiddenLayers, int seed)
    {
        int d = inputWidth + outputWidth, r = Math.Min(rank, d);
        var layers = Enumerable.Range(0, hiddenLayers + 1).Select(i => new ResidualLayer(
            Tensor.Zeros(d, r),
            Tensor.RandomNormal(seed * 7919 + i, 1.0, DType.F32, r, d),
            Tensor.Zeros(d),
            Tensor.Full(1.0, DType.F32, modes, d),
            Tensor.Zeros(modes, d))).ToList();
        foreach (var layer in layers)
            foreach (var (_, p) in layer.Parameters()) p.RequiresGrad = true;
        return new EditorNetwork(inputWidth, outputWidth, modes, layers);
    }

    /// <summary>Parameters by name, "layers.{i}.{u|v|bias|mode_scale|mode_shift}".</summary>
    public IEnumerable<(string Name, Tensor Value)> Parameters() =>
        Layers.SelectMany((layer, i) => layer.Parameters().Select(p => ($"layers.{i}.{p.Name}", p.Value)));

    /// <summary>Adds the rows of u and δ to the running statistics (training mode).</summary>
    public void UpdateStatistics(float[] u, float[] delta, int rows)
    {
        for (int i = 0; i < rows; i++)
        {
            InputStatistics.Update(u.AsSpan(i * InputWidth, InputWidth));
            GradientStatistics.Update(delta.AsSpan(i * OutputWidth, OutputWidth));
        }
    }

    // u [N, in], δ [N, out] → (ũ' [N, in], δ̃' [N, out]), recorded on the active tape.
    public (Tensor U, Tensor Delta) Forward(float[] u, float[] delta, int rows, int mode)
    {
        if ((uint)mode >= (uint)Modes) throw new ArgumentOutOfRangeException(nameof(mode), $"mode {mode} outside [0, {Modes})");
        var x = Ops.Concat(1, Tensor.FromArray(InputStatistics.Normalize(u), rows, InputWidth),
                              Tensor.FromArray(GradientStatistics.Normalize(delta), rows, OutputWidth));
        foreach (var layer in Layers)
        {
            var pre = Ops.Add(Ops.MatMul(Ops.MatMul(x, layer.V, transB: true), layer.U, transB: true), layer.Bias); // [N, D]
            var scaled = Ops.Add(Ops.Mul(pre, Ops.GatherRows(layer.ModeScale, [mode])), Ops.GatherRows(layer.ModeShift, [mode]));
            x = Ops.Add(x, ClampAtZero(scaled));
        }
        return (Ops.Slice(x, 1, 0, InputWidth), Ops.Slice(x, 1, InputWidth, OutputWidth));
    }

    /// <summary>
    /// max(0, z) with torch clamp(min=0)'s gradient, 1 where z ≥ 0: z + relu(−z). At init every pre-activation
    /// is exactly 0, where a ReLU's gradient (0) would stop the network from ever training.
    /// </summary>
    private static Tensor ClampAtZero(Tensor z) => Ops.Add(z, Ops.Relu(Ops.Neg(z)));
}
