namespace RawEdit.Tensors;

/// <summary>
/// SplitMix64 generator (Steele, Lea &amp; Flood 2014). Its output is fixed by the algorithm alone, unlike
/// <see cref="System.Random"/>, whose sequence .NET does not promise to keep; the world must come out the
/// same on every machine and runtime.
/// </summary>
internal sealed class SplitMix64
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for one named purpose, independent of the others drawn from the same seed.</summary>
    /// <remarks>
    /// Each part of the world (names of one kind, objects of one relation, …) draws from its own stream, so
    /// adding a relation or changing one count leaves every other part unchanged.
    /// </remarks>
    public static SplitMix64 ForStream(ulong seed, string streamName, ulong index = 0)
    {
        ulong h = Mix(seed ^ 0x5DEECE66DUL);
        foreach (char c in streamName)
            h = Mix(h ^ c);
        return new SplitMix64(Mix(h ^ Mix(index + GoldenGamma)));
    }

    public ulong NextUInt64()
    {
        _state += GoldenGamma;
        return Mix(_state);
    }

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong bound = (ulong)exclusiveMax;
        // Reject the top sliver of the 64-bit range that would favour small remainders.
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % bound);
    }

    /// <summary>Uniform double in [0, 1) from 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
