namespace RawEdit.Editing;

/// <summary>Euclidean norms of the edit vectors (keys, values, u, r), summed in order in float64.</summary>
internal static class VectorNorm
{
    public static double Of(ReadOnlySpan<float> v)
    {
        double sum = 0;
        foreach (float x in v) sum += (double)x * x;
        return Math.Sqrt(sum);
    }

    public static double Of(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (double x in v) sum += x * x;
        return Math.Sqrt(sum);
    }
}
