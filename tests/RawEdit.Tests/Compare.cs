namespace RawEdit.Tests;

/// <summary>Error measures used against reference outputs.</summary>
internal static class Compare
{
    public static double MaxAbsDiff(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) throw new AssertionException($"length {actual.Length} vs expected {expected.Length}");
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
        }
        return max;
    }

    /// <summary>‖actual − expected‖₂ / max(‖expected‖₂, 1e-30).</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) throw new AssertionException($"length {actual.Length} vs expected {expected.Length}");
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            diff += d * d;
            norm += (double)expected[i] * expected[i];
        }
        double error = Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-30);
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }
}
