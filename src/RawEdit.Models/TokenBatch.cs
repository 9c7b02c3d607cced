namespace RawEdit.Models;

/// <summary>
/// Token sequences right-padded to one length T. Ids [B,T] row-major, Mask [B,T] (1 real, 0 pad),
/// positions 0..T−1 in every row (Hugging Face's default with right padding).
/// </summary>
internal sealed class TokenBatch
{
    public TokenBatch(IReadOnlyList<int[]> sequences, int padId) : this(sequences, padId, time: null) { }

    /// <summary>Padded to <paramref name="time"/> positions (at least the longest sequence), e.g. the width generation will reach.</summary>
    public TokenBatch(IReadOnlyList<int[]> sequences, int padId, int? time)
    {
        if (sequences.Count == 0) throw new ArgumentException("a batch needs at least one sequence");
        Lengths = sequences.Select(s => s.Length).ToArray();
        if (Lengths.Any(l => l == 0)) throw new ArgumentException("a sequence in the batch is empty");
        Batch = sequences.Count;
        Time = time ?? Lengths.Max();
        if (Time < Lengths.Max()) throw new ArgumentException($"a batch of width {Time} cannot hold a sequence of {Lengths.Max()} tokens");
        Ids = new int[Batch * Time];
        Mask = new float[Batch * Time];
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < Time; t++)
            {
                bool real = t < Lengths[b];
                Ids[b * Time + t] = real ? sequences[b][t] : padId;
                Mask[b * Time + t] = real ? 1 : 0;
            }
    }

    public static TokenBatch Single(int[] ids, int padId = 0) => new([ids], padId);

    public int Batch { get; }
    public int Time { get; }
    public int[] Ids { get; }
    public float[] Mask { get; }
    public int[] Lengths { get; }
    public bool HasPadding => Lengths.Any(l => l != Time);

    /// <summary>Flat row index b·T + t, as used for [B·T, C] activations.</summary>
    public int Row(int b, int t) => b * Time + t;

    /// <summary>Next-token targets per row: ids shifted left, −1 where the next token is padding or absent.</summary>
    public int[] NextTokenTargets()
    {
        var targets = new int[Batch * Time];
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < Time; t++)
                targets[b * Time + t] = t + 1 < Lengths[b] ? Ids[b * Time + t + 1] : -1;
        return targets;
    }
}
