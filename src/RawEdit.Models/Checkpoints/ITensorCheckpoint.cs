using RawEdit.Tensors.Cpu;

namespace RawEdit.Models.Checkpoints;

/// <summary>Named tensors of a checkpoint in any supported file format, read one at a time as fp32.</summary>
internal interface ITensorCheckpoint : IDisposable
{
    /// <summary>The folder or file this checkpoint was opened from.</summary>
    string Location { get; }

    IReadOnlyCollection<string> Names { get; }

    TensorDType DTypeOf(string name);

    long[] ShapeOf(string name);

    float[] ReadAsFloat32(string name);

    /// <summary>Converts the tensor's elements into <paramref name="destination"/> (exactly its element count long).</summary>
    void ReadAsFloat32(string name, Span<float> destination);

    /// <summary>An F16/BF16 tensor mapped in place (no copy), or null where the format or dtype does not allow it.</summary>
    CpuHalfStorage? MapHalf(string name, CpuBackend backend) => null;
}
