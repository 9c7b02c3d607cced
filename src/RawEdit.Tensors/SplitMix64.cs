namespace RawEdit.Tensors;

/// <summary>
/// A tiny, fully specified PRNG (Steele, Lea and Flood's SplitMix64): the same seed gives the same
/// stream on every machine and .NET version, unlike System.Random's unspecified algorithms.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    public ulong State { get; set; } = seed;

    public ulong Next()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, n) (Lemire's multiply-shift; the tiny bias is irrelevant here).</summary>
    public int NextInt(int n) => (int)((Next() >> 32) * (ulong)n >> 32);

    /// <summary>Uniform double in [0, 1) from 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
