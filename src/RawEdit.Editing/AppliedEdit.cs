using RawEdit.Models;
using RawEdit.Tensors;

namespace RawEdit.Editing;

/// <summary>
/// An edit in effect on one or more weights; <see cref="Revert"/> puts the saved weights back bit for bit,
/// last saved first, so a weight changed twice returns to its state before the first change.
/// </summary>
public sealed class AppliedEdit
{
    private readonly IReadOnlyList<(Tensor Weight, Tensor Original)> saved;

    internal AppliedEdit(IReadOnlyList<(Tensor Weight, Tensor Original)> saved) => this.saved = saved;

    /// <summary>Whether <see cref="Revert"/> has run.</summary>
    public bool Reverted { get; private set; }

    /// <summary>Each changed weight with its copy from before the change, in the order they were changed.</summary>
    internal IEnumerable<(Tensor Weight, Tensor Original)> Originals => saved;

    /// <summary>Restores the weights as they were before the edit (a second call does nothing).</summary>
    public void Revert()
    {
        if (Reverted) return;
        for (int i = saved.Count - 1; i >= 0; i--) saved[i].Weight.CopyFrom(saved[i].Original);
        Reverted = true;
    }

    /// <summary>Saves the named [rows, columns] weight, then lets <paramref name="addInPlace"/> change it.</summary>
    internal static AppliedEdit Apply(ICausalLanguageModel model, string name, int rows, int columns, Action<Tensor> addInPlace)
    {
        var weight = Target(model, name, rows, columns);
        var original = weight.Clone();
        addInPlace(weight);
        return new AppliedEdit([(weight, original)]);
    }

    /// <summary>Several edits in effect together, reverted as one (the last applied first).</summary>
    public static AppliedEdit Together(IEnumerable<AppliedEdit> parts) => new(parts.SelectMany(p => p.saved).ToList());

    /// <summary>
    /// The model's weight an edit of shape [rows, columns] is for, or a clear error. A half-stored weight is promoted
    /// to fp32 first (only the edited matrices cost 4 bytes per element).
    /// </summary>
    internal static Tensor Target(ICausalLanguageModel model, string name, int rows, int columns)
    {
        var weight = model.Parameters.TryGetValue(name, out var w) ? w : throw new ArgumentException($"the model has no weight '{name}'");
        if (weight.Rank != 2 || weight.Shape[0] != rows || weight.Shape[1] != columns)
            throw new ArgumentException($"edit of shape [{rows},{columns}] does not fit '{name}' {Shape.Format(weight.Shape)}");
        weight.PromoteToF32();
        return weight;
    }
}
