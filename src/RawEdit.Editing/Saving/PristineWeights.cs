using RawEdit.Models;

namespace RawEdit.Editing.Saving;

/// <summary>
/// Float32 copies of the weights an edit may change, taken before the edit: what <see cref="EditedModelSaver"/> measures
/// each saved update against (ΔW = current − pristine). Only the named weights are copied (for ROME one matrix).
/// </summary>
internal sealed class PristineWeights
{
    private readonly IReadOnlyDictionary<string, float[]> weights;

    /// <summary>Wraps copies already made (name → W as float32, row-major); the arrays are used, not copied.</summary>
    public PristineWeights(IReadOnlyDictionary<string, float[]> weights) => this.weights = weights;

    /// <summary>Copies the named weights of <paramref name="model"/> as they are now (call it before editing).</summary>
    public static PristineWeights Capture(ICausalLanguageModel model, IEnumerable<string> names) =>
        new(names.Distinct().ToDictionary(n => n, n => model.Parameters.TryGetValue(n, out var w) ? w.ToFloatArray()
            : throw new ArgumentException($"the model has no weight '{n}'")));

    /// <summary>
    /// The weights as they were before the first of <paramref name="edits"/> (applied in list order) changed them,
    /// taken from the copies the handles keep for <see cref="AppliedEdit.Revert"/>: no further copy.
    /// </summary>
    public static PristineWeights FromApplied(ICausalLanguageModel model, IEnumerable<AppliedEdit> edits)
    {
        var names = new Dictionary<Tensors.Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, tensor) in model.Parameters) names[tensor] = name;
        var first = new Dictionary<string, float[]>();
        foreach (var (weight, original) in edits.SelectMany(e => e.Originals))
        {
            string name = names.TryGetValue(weight, out var n) ? n : throw new ArgumentException("an applied edit changed a tensor that is not one of the model's parameters");
            if (!first.ContainsKey(name)) first[name] = original.ToFloatArray();
        }
        return new PristineWeights(first);
    }

    /// <summary>The names of the copied weights.</summary>
    public IEnumerable<string> Names => weights.Keys;

    /// <summary>W of one copied weight, as float32.</summary>
    public ReadOnlySpan<float> this[string name] => weights[name];
}
