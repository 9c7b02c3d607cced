using System.Reflection;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// The CUDA C++ of every kernel, embedded in this assembly from Cuda/Kernels: common.cuh first, then each .cu file
/// in name order, as one translation unit (one NVRTC compile, one module, one cache entry).
/// </summary>
public static class KernelSource
{
    private const string Prefix = "RawEdit.Cuda.Kernels.";
    private static readonly Lazy<string> text = new(Assemble);

    public static string Text => text.Value;

    /// <summary>The embedded files in the order they are joined.</summary>
    public static IReadOnlyList<string> Files => ResourceNames().Select(n => n[Prefix.Length..]).ToList();

    private static IEnumerable<string> ResourceNames() =>
        typeof(KernelSource).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .OrderBy(n => n.EndsWith(".cuh", StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal);

    private static string Assemble()
    {
        var assembly = typeof(KernelSource).Assembly;
        var parts = ResourceNames().Select(name =>
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            return $"// ---- {name[Prefix.Length..]} ----\n{reader.ReadToEnd()}\n";
        }).ToList();
        if (parts.Count == 0) throw new InvalidOperationException($"no CUDA kernel sources embedded in {assembly.GetName().Name}");
        return string.Concat(parts);
    }
}
