namespace RawEdit.Tensors.Optim;

internal sealed record AdamWOptions(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0.0);

/// <summary>A parameter the optimiser updates, and whether decoupled weight decay applies to it.</summary>
internal sealed record OptimizedParameter(string Name, Tensor Value, bool Decay = true);

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter); with WeightDecay = 0 it is torch's Adam.
/// Moments live beside each parameter and can be saved and restored for bit-identical resumption.
/// </summary>
internal sealed class AdamW
{
    private readonly List<(OptimizedParameter Parameter, Tensor M, Tensor V)> slots = new();

    public AdamW(IEnumerable<OptimizedParameter> parameters, AdamWOptions options)
    {
        Options = options;
        foreach (var p in parameters)
            slots.Add((p, Tensor.Zeros(p.Value.DType, p.Value.Shape), Tensor.Zeros(p.Value.DType, p.Value.Shape)));
    }

    public AdamWOptions Options { get; }

    /// <summary>Steps taken so far (the next update uses Step + 1 for bias correction).</summary>
    public int Step { get; set; }

    public IEnumerable<OptimizedParameter> Parameters => slots.Select(s => s.Parameter);

    /// <summary>First and second moments by parameter name.</summary>
    public IEnumerable<(string Name, Tensor M, Tensor V)> Moments => slots.Select(s => (s.Parameter.Name, s.M, s.V));

    /// <summary>Applies one update with the current gradients; parameters without a gradient are left alone.</summary>
    public void Update(double learningRate)
    {
        Step++;
        foreach (var (p, m, v) in slots)
        {
            var grad = p.Value.Grad;
            if (grad is null) continue;
            p.Value.Backend.AdamWUpdate(p.Value.Storage, grad.Storage, m.Storage, v.Storage, learningRate,
                Options.Beta1, Options.Beta2, Options.Epsilon, p.Decay ? Options.WeightDecay : 0, Step);
        }
    }

    /// <summary>Clears every parameter's gradient (Grad becomes null), keeping the buffers for the next backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var (p, _, _) in slots) p.Value.ReleaseGrad();
    }
}
