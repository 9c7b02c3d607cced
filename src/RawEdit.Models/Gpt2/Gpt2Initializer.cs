using RawEdit.Tensors;

namespace RawEdit.Models.Gpt2;

/// <summary>
/// Fresh GPT-2 weights as Hugging Face initialises them: N(0, 0.02²) for matrices and embeddings,
/// residual projections (attn.c_proj, mlp.c_proj) N(0, (0.02/√(2·n_layer))²), biases 0, layer norms γ=1, β=0.
/// </summary>
internal static class Gpt2Initializer
{
    public static Gpt2Model Random(Gpt2Config config, int seed)
    {
        var parameters = new Dictionary<string, Tensor>();
        int index = 0;
        double residualStd = 0.02 / Math.Sqrt(2.0 * config.Layers);
        foreach (var (name, shape) in Gpt2Model.ExpectedShapes(config))
        {
            ulong stream = (ulong)index++;
            parameters[name] = name switch
            {
                _ when name.Contains(".ln_") && name.EndsWith(".weight") => Tensor.Full(1.0, DType.F32, shape),
                _ when name.EndsWith(".bias") => Tensor.Zeros(shape),
                _ when name.EndsWith("c_proj.weight") => RandomNormalF32(seed, stream, residualStd, shape),
                _ => RandomNormalF32(seed, stream, 0.02, shape),
            };
        }
        return new Gpt2Model(config, parameters);
    }

    /// <summary>Normal samples generated directly in float (a 124M-parameter model should not need a double copy).</summary>
    private static Tensor RandomNormalF32(int seed, ulong stream, double std, int[] shape)
    {
        var rng = SplitMix64.ForStream((ulong)seed, "gpt2-init", stream);
        var values = new float[Shape.Numel(shape)];
        for (int i = 0; i < values.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return Tensor.FromArray(values, shape);
    }
}
