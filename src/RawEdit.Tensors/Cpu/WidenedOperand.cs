namespace RawEdit.Tensors.Cpu;

/// <summary>
/// An fp32 copy of a half-stored GEMM operand for the length of one product, in a pooled array: a 6B model's forward
/// widens every weight once per use, so the arrays are reused rather than allocated each time. At most two are
/// kept (a product may widen both operands); each is as long as the largest weight seen.
/// </summary>
internal sealed class WidenedOperand : IDisposable
{
    private const int Kept = 2;
    private static readonly List<float[]> Pool = [];

    private WidenedOperand(float[] values, CpuBackend backend)
    {
        Values = values;
        Storage = new CpuStorage<float>(values, backend);
    }

    public float[] Values { get; }

    /// <summary>The widened elements as fp32 storage (its array may be longer than the half storage).</summary>
    public CpuStorage<float> Storage { get; }

    public static WidenedOperand Of(CpuHalfStorage half, CpuBackend backend)
    {
        int length = checked((int)half.Length);
        float[]? values = null;
        lock (Pool)
        {
            int best = -1;
            for (int i = 0; i < Pool.Count; i++)
                if (Pool[i].Length >= length && (best < 0 || Pool[i].Length < Pool[best].Length)) best = i;
            if (best >= 0) { values = Pool[best]; Pool.RemoveAt(best); }
        }
        values ??= GC.AllocateUninitializedArray<float>(length);
        half.Widen(0, values.AsSpan(0, length));
        return new WidenedOperand(values, backend);
    }

    public void Dispose()
    {
        lock (Pool)
        {
            Pool.Add(Values);
            if (Pool.Count > Kept)
            {
                int smallest = 0;
                for (int i = 1; i < Pool.Count; i++) if (Pool[i].Length < Pool[smallest].Length) smallest = i;
                Pool.RemoveAt(smallest);
            }
        }
    }
}
