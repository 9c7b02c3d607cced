namespace RawEdit.Editing.Mend;

/// <summary>
/// Welford's running mean and sum of squared deviations (M2) per dimension, in float64 (MEND's input
/// normalisation, mend.py:85-109): the first row sets the mean; each later row x, with k rows seen,
///   mean ← mean + (x − mean)/k,   M2 ← M2 + (x − mean_old)·(x − mean_new);   σ = √(M2/(k−1)).
/// </summary>
internal sealed class RunningStatistics
{
    public RunningStatistics(int width)
    {
        Mean = new double[width];
        M2 = new double[width];
    }

    public double[] Mean { get; }
    public double[] M2 { get; }
    public long Count { get; set; }
    public int Width => Mean.Length;

    public void Update(ReadOnlySpan<float> row)
    {
        Count++;
        if (Count == 1)
        {
            for (int j = 0; j < row.Length; j++) { Mean[j] = row[j]; M2[j] = 0; }
            return;
        }
        for (int j = 0; j < row.Length; j++)
        {
            double old = Mean[j];
            Mean[j] = old + (row[j] - old) / Count;
            M2[j] += (row[j] - old) * (row[j] - Mean[j]);
        }
    }

    /// <summary>(x − mean)/(σ + 1e-7) for every row of x [rows, Width].</summary>
    public float[] Normalize(ReadOnlySpan<float> rows)
    {
        if (Count < 2) throw new InvalidOperationException($"MEND normalisation needs statistics of at least two rows, has {Count}");
        var std = new double[Width];
        for (int j = 0; j < Width; j++) std[j] = Math.Sqrt(M2[j] / (Count - 1)) + 1e-7;
        var y = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++) y[i] = (float)((rows[i] - Mean[i % Width]) / std[i % Width]);
        return y;
    }
}
