using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu;

namespace RawEdit.Tensors;

/// <summary>
/// Where models loaded from now on run, for the whole process (the command line's <c>--device</c>):
/// <list type="bullet">
/// <item><c>cpu</c>: RawEdit's own SIMD CPU backend (the default).</item>
/// <item><c>cuda</c>: the first NVIDIA GPU through ILGPU (only the driver is needed); an error says why when none is usable.</item>
/// <item><c>ilgpu-cpu</c>: the GPU kernels on ILGPU's CPU accelerator: slow, for checking the GPU code on any machine.</item>
/// <item><c>auto</c>: <c>cuda</c> when a GPU is usable, else <c>cpu</c>.</item>
/// </list>
/// </summary>
public static class ComputeDevice
{
    /// <summary>The names <see cref="Use"/> accepts.</summary>
    public static IReadOnlyList<string> Names => DeviceSelection.Choices;

    /// <summary>Makes <paramref name="device"/> the process's device for models loaded afterwards.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    /// <exception cref="InvalidOperationException"><c>cuda</c> was asked for and no GPU is usable (the message says why).</exception>
    public static void Use(string device) => Backends.ProcessDefault = DeviceSelection.Resolve(device);
}
