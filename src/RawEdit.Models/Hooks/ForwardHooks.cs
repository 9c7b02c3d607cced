using RawEdit.Tensors;

namespace RawEdit.Models.Hooks;

/// <summary>
/// Functions the model applies at named points of a forward pass. A hook receives the activation and
/// returns the tensor the model continues with: itself to read, or a new tensor to intervene.
/// Registered hooks run in registration order.
/// </summary>
internal sealed class ForwardHooks
{
    private readonly Dictionary<(HookPoint, int), List<Func<Tensor, Tensor>>> hooks = new();

    public void Add(HookPoint point, int layer, Func<Tensor, Tensor> hook)
    {
        if (!hooks.TryGetValue((point, layer), out var list)) hooks[(point, layer)] = list = new();
        list.Add(hook);
    }

    public bool Has(HookPoint point, int layer) => hooks.ContainsKey((point, layer));

    /// <summary>Called by models at each point.</summary>
    public Tensor Apply(HookPoint point, int layer, Tensor activation)
    {
        if (!hooks.TryGetValue((point, layer), out var list)) return activation;
        foreach (var hook in list) activation = hook(activation);
        return activation;
    }

    /// <summary>Records the activation at a point (its gradient too, after backward, when asked).</summary>
    public CapturedActivation Capture(HookPoint point, int layer, bool retainGrad = false)
    {
        var captured = new CapturedActivation();
        Add(point, layer, x =>
        {
            if (retainGrad && x.RequiresGrad) x.RetainGrad();
            captured.Value = x;
            return x;
        });
        return captured;
    }

    /// <summary>
    /// Adds <paramref name="vector"/> [C] to the activation at flat rows b·T + t (one per entry of <paramref name="rows"/>).
    /// The vector may require a gradient: this is how ROME and MEMIT optimise δ.
    /// </summary>
    public void AddVector(HookPoint point, int layer, Tensor vector, int[] rows) => Add(point, layer, x => AddVectorAt(x, vector, rows));

    /// <summary>x [.., C] with <paramref name="vector"/> [C] added at flat rows <paramref name="rows"/> (x viewed as [R, C]), differentiable in both.</summary>
    public static Tensor AddVectorAt(Tensor x, Tensor vector, int[] rows)
    {
        var flat = Ops.Reshape(x, -1, x.Shape[^1]);
        var repeated = Ops.GatherRows(Ops.Reshape(vector, 1, -1), new int[rows.Length]);
        return Ops.Reshape(Ops.AddRows(flat, rows, repeated), x.Shape);
    }
}

/// <summary>An activation captured during a forward pass.</summary>
internal sealed class CapturedActivation
{
    public Tensor? Value { get; internal set; }

    public Tensor Required => Value ?? throw new InvalidOperationException("the hooked point was not reached in the forward pass");
}
