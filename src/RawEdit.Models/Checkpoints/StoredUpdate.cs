using RawEdit.Tensors;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// How much of an update ΔW = W' − W a storage dtype keeps, for one tensor. With stored(·) the rounding the writer
/// applies, the file carries the update ΔŜ = stored(W') − stored(W): what it holds beyond the unedited model saved the
/// same way. stored(W) = W whenever W is representable in the dtype (always for F32, and for "same": the weights came
/// from that dtype); measuring against stored(W) keeps a change of dtype (F16 weights saved as BF16) from being
/// counted as lost update.
/// <list type="bullet">
/// <item><see cref="UpdateNorm"/> = ‖ΔW‖_F, <see cref="StoredUpdateNorm"/> = ‖ΔŜ‖_F;</item>
/// <item><see cref="RelativeError"/> = ‖ΔŜ − ΔW‖_F / ‖ΔW‖_F (0 when nothing changed);</item>
/// <item><see cref="Cosine"/> = ⟨ΔŜ, ΔW⟩ / (‖ΔŜ‖‖ΔW‖), the direction kept.</item>
/// </list>
/// Rounding error per entry is about 2⁻ᵖ·|W'| (p = 11 for F16, 8 for BF16), so a small update on a large weight loses
/// most: the relative error grows with ‖W‖/‖ΔW‖.
/// </summary>
/// <param name="Name">The tensor's parameter name.</param>
/// <param name="DType">The dtype it is stored in.</param>
/// <param name="UpdateNorm">‖ΔW‖_F of the update in memory (float32).</param>
/// <param name="StoredUpdateNorm">‖stored(W + ΔW) − stored(W)‖_F, the update the file carries.</param>
/// <param name="RelativeError">‖stored(W + ΔW) − stored(W) − ΔW‖_F / ‖ΔW‖_F.</param>
/// <param name="Cosine">Cosine between the stored and the in-memory update (1 when nothing changed).</param>
/// <param name="Overflowed">Entries finite in memory that the dtype cannot hold (beyond its largest finite value: stored as ±∞).</param>
/// <param name="LargestMagnitude">max |W'| in memory.</param>
public sealed record StoredUpdate(string Name, TensorDType DType, double UpdateNorm, double StoredUpdateNorm, double RelativeError, double Cosine,
    long Overflowed = 0, double LargestMagnitude = 0)
{
    /// <summary>A stored update whose relative error is above this loses "more than 1% of the edit" and is reported as such.</summary>
    public const double LossThreshold = 1e-2;

    /// <summary>True when the stored update differs from the computed one by more than <see cref="LossThreshold"/> relative.</summary>
    public bool LosesUpdate => RelativeError > LossThreshold;

    private const int Chunk = 4096;

    /// <summary>
    /// Measures a tensor's update: <paramref name="pristine"/> holds W (float32, as loaded), <paramref name="current"/>
    /// W' = W + ΔW; both row-major, the same length. Sums are in float64.
    /// </summary>
    internal static StoredUpdate Measure(string name, ReadOnlySpan<float> pristine, ReadOnlySpan<float> current, TensorDType dtype)
    {
        if (pristine.Length != current.Length)
            throw new ArgumentException($"'{name}': pristine copy has {pristine.Length} values, the weight {current.Length}");
        double update = 0, stored = 0, error = 0, dot = 0, largest = 0;
        long overflowed = 0;
        Span<float> rounded = stackalloc float[Chunk], roundedPristine = stackalloc float[Chunk];
        for (int start = 0; start < current.Length; start += Chunk)
        {
            int count = Math.Min(Chunk, current.Length - start);
            var now = current.Slice(start, count);
            var was = pristine.Slice(start, count);
            var kept = rounded[..count];
            var storedPristine = roundedPristine[..count];
            RoundTo(dtype, now, kept);
            RoundTo(dtype, was, storedPristine);
            for (int i = 0; i < count; i++)
            {
                largest = Math.Max(largest, Math.Abs((double)now[i]));
                if (float.IsFinite(now[i]) && !float.IsFinite(kept[i])) overflowed++;
                double delta = (double)now[i] - was[i], storedDelta = (double)kept[i] - storedPristine[i], lost = storedDelta - delta;
                update += delta * delta;
                stored += storedDelta * storedDelta;
                error += lost * lost;
                dot += delta * storedDelta;
            }
        }
        double updateNorm = Math.Sqrt(update), storedNorm = Math.Sqrt(stored);
        return new StoredUpdate(name, dtype, updateNorm, storedNorm,
            updateNorm == 0 ? 0 : Math.Sqrt(error) / updateNorm,
            updateNorm == 0 ? 1 : storedNorm == 0 ? 0 : dot / (updateNorm * storedNorm), overflowed, largest);
    }

    /// <summary>The values as <paramref name="dtype"/> stores them (F32: unchanged; F16/BF16: rounded to nearest even, as the writer does).</summary>
    internal static void RoundTo(TensorDType dtype, ReadOnlySpan<float> values, Span<float> rounded)
    {
        switch (dtype)
        {
            case TensorDType.F32: values.CopyTo(rounded); return;
            case TensorDType.F16 or TensorDType.BF16:
                var kind = dtype == TensorDType.F16 ? Tensors.DType.F16 : Tensors.DType.BF16;
                Span<ushort> bits = values.Length <= Chunk ? stackalloc ushort[values.Length] : new ushort[values.Length];
                HalfPrecision.FromSingle(kind, values, bits);
                HalfPrecision.ToSingle(kind, bits, rounded);
                return;
            default: throw new ArgumentException($"float32 weights cannot be stored as {dtype.HeaderName()}");
        }
    }
}
