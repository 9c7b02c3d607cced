using System.Numerics.Tensors;

namespace RawEdit.Editing.AlphaEdit;

/// <summary>
/// AlphaEdit's running K_pK_pᵀ per edited layer (upstream's cache_c): the sum of k kᵀ over the keys of every edit accepted
/// earlier in the sequence [F, F], float64 (upstream: float32 on the CPU). Keys come in as float32 and each product is
/// formed from them, so adding the same keys in the same order (a replayed journal) gives the same bits.
/// </summary>
internal sealed class PreservedKeySums(int dimension)
{
    private readonly Dictionary<int, double[]> sums = [];
    private readonly Dictionary<int, int> counts = [];

    public int Dimension { get; } = dimension;

    /// <summary>K_pK_pᵀ at <paramref name="layer"/>, or null before any key was added there.</summary>
    public double[]? Of(int layer) => sums.GetValueOrDefault(layer);

    public int Count(int layer) => counts.GetValueOrDefault(layer);

    public void Add(int layer, float[] key)
    {
        if (key.Length != Dimension) throw new ArgumentException($"a preserved key of {key.Length} values at layer {layer}, expected {Dimension}");
        if (!sums.TryGetValue(layer, out var sum)) sums[layer] = sum = new double[(long)Dimension * Dimension];
        var k = key.Select(x => (double)x).ToArray();
        for (int a = 0; a < Dimension; a++)
        {
            var row = sum.AsSpan(a * Dimension, Dimension);
            TensorPrimitives.MultiplyAdd(k, k[a], row, row);
        }
        counts[layer] = Count(layer) + 1;
    }
}
