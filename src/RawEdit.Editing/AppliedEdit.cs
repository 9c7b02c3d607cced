using RawEdit.Models;
using RawEdit.Tensors;

namespace RawEdit.Editing;

/// <summary>An edit in effect on one or more weights; <see cref="Revert"/> puts the saved weights back bit for bit.</summary>
public sealed class AppliedEdit(IReadOnlyList<(Tensor Weight, Tensor Original)> saved)
{
    public bool Reverted { get; private set; }

    public void Revert()
    {
        if (Reverted) return;
        foreach (var (weight, original) in saved) weight.CopyFrom(original);
        Reverted = true;
    }

    /// <summary>The model's weight an edit of shape [rows, columns] is for, or a clear error.</summary>
    public static Tensor Target(ICausalLanguageModel model, string name, int rows, int columns)
    {
        var weight = model.Parameters.TryGetValue(name, out var w) ? w : throw new ArgumentException($"the model has no weight '{name}'");
        if (weight.Rank != 2 || weight.Shape[0] != rows || weight.Shape[1] != columns)
            throw new ArgumentException($"edit of shape [{rows},{columns}] does not fit '{name}' {Shape.Format(weight.Shape)}");
        return weight;
    }
}
