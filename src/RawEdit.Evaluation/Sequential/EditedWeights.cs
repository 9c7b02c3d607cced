using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RawEdit.Editing;
using RawEdit.Editing.Saving;
using RawEdit.Models;
using RawEdit.Tensors;

namespace RawEdit.Evaluation.Sequential;

/// <summary>
/// The weights a method edits, with pristine copies taken before the first edit:
/// distance ‖W − W₀‖_F / numel(W) (r-ROME's |Δ|, the forgetting study's get_model_distance) and a fingerprint.
/// </summary>
internal sealed class EditedWeights
{
    private readonly IReadOnlyList<(string Name, Tensor Current, float[] Pristine)> weights;

    public EditedWeights(ICausalLanguageModel model, IEnumerable<string> names)
    {
        weights = names.Select(n => model.Parameters.TryGetValue(n, out var t) ? (n, t, t.ToFloatArray())
            : throw new ArgumentException($"the model has no weight '{n}' for the method to edit")).ToList();
    }

    public IEnumerable<string> Names => weights.Select(w => w.Name);

    /// <summary>The pristine copies, for measuring what a save keeps of the run's updates (no copy is made).</summary>
    public PristineWeights Pristine => new(weights.ToDictionary(w => w.Name, w => w.Pristine));

    public Dictionary<string, double> DistanceFromOriginal() => weights.ToDictionary(w => w.Name, w =>
    {
        var current = w.Current.ToFloatArray();
        double sum = 0;
        for (int i = 0; i < current.Length; i++)
        {
            double d = (double)current[i] - w.Pristine[i];
            sum += d * d;
        }
        return Math.Sqrt(sum) / current.Length;
    });

    /// <summary>SHA-256 of the edited weights' float32 bits, in method order.</summary>
    public string Fingerprint()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var w in weights) sha.AppendData(MemoryMarshal.AsBytes(w.Current.ToFloatArray().AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>‖Σ_t u_t ⊗ r_t‖_F / numel per weight of one edit: ‖Σ u_t r_tᵀ‖² = Σ_{s,t} (u_s·u_t)(r_s·r_t).</summary>
    public static Dictionary<string, double> EditMagnitude(ComputedEdit edit) => edit.Terms.GroupBy(t => t.WeightName).ToDictionary(g => g.Key, g =>
    {
        var terms = g.ToList();
        double squared = 0;
        foreach (var s in terms)
            foreach (var t in terms) squared += Dot(s.U, t.U) * Dot(s.R, t.R);
        return Math.Sqrt(Math.Max(squared, 0)) / ((double)terms[0].U.Length * terms[0].R.Length);
    });

    /// <summary>The largest per-weight figure of an edit (NaN for an edit that changed nothing).</summary>
    public static double Largest(IReadOnlyDictionary<string, double> perWeight) => perWeight.Values.DefaultIfEmpty(double.NaN).Max();

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
