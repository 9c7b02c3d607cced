using System.Text.RegularExpressions;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace RawEdit.Tensors.Gpu;

/// <summary>One catalog kernel as PTX text, and what the text says about it.</summary>
internal sealed record CompiledPtx(GpuKernel Kernel, string Assembly)
{
    public PtxFacts Facts { get; } = PtxFacts.Of(Assembly);
}

/// <summary>
/// Facts read off PTX text (not from an assembler: ptxas decides the real register count and may keep or remove local
/// memory). Registers: the virtual registers the text declares (".reg .f32 %f&lt;78&gt;;" declares 78). SharedBytes: static
/// .shared arrays; DynamicShared: an .extern .shared array sized at launch. LocalBytes / LocalStores: .local arrays and
/// st.local instructions (ILGPU's stack slots; in a hot loop, a spill). MmaSync: tensor-core instructions. Version and
/// Target: the .version and .target lines (ILGPU 1.5.3 writes .target sm_80 for any newer architecture; the driver
/// compiles the text for the GPU it loads on).
/// </summary>
internal sealed partial record PtxFacts(string Version, string Target, int Bytes, int Registers, int SharedBytes, bool DynamicShared, int LocalBytes,
    int LocalStores, int MmaSync)
{
    public static PtxFacts Of(string ptx) => new(
        VersionDirective().Match(ptx) is { Success: true } v ? v.Groups[1].Value : "",
        TargetDirective().Match(ptx) is { Success: true } t ? t.Groups[1].Value : "",
        ptx.Length,
        RegisterDeclaration().Matches(ptx).Sum(m => int.Parse(m.Groups[1].Value)),
        SharedArray().Matches(ptx).Sum(m => int.Parse(m.Groups[1].Value)),
        ptx.Contains(".extern .shared", StringComparison.Ordinal),
        LocalArray().Matches(ptx).Sum(m => int.Parse(m.Groups[1].Value)),
        Regex.Count(ptx, @"\bst\.local\b"),
        Regex.Count(ptx, @"\bmma\.sync\b"));

    [GeneratedRegex(@"^\.version\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex VersionDirective();

    [GeneratedRegex(@"^\.target\s+([^\s,]+)", RegexOptions.Multiline)]
    private static partial Regex TargetDirective();

    [GeneratedRegex(@"^\s*\.reg\s+\.\w+\s+%?\w+<(\d+)>\s*;", RegexOptions.Multiline)]
    private static partial Regex RegisterDeclaration();

    [GeneratedRegex(@"^\s*\.shared\s+(?:\.align\s+\d+\s+)?\.\w+\s+\w+\[(\d+)\]", RegexOptions.Multiline)]
    private static partial Regex SharedArray();

    [GeneratedRegex(@"^\s*\.local\s+(?:\.align\s+\d+\s+)?\.\w+\s+\w+\[(\d+)\]", RegexOptions.Multiline)]
    private static partial Regex LocalArray();
}

/// <summary>
/// Compiles every kernel of <see cref="GpuKernelCatalog"/> to PTX with ILGPU's PTX backend, on any machine (no GPU, no
/// driver): the check that each one compiles for a target, and the text to read. The context is the one the backend
/// launches with (optimisation level O2). Each target names the oldest PTX ISA that knows it (sm_80: PTX 7.0; sm_90:
/// 7.8), so any driver that runs the architecture can load the text.
/// </summary>
internal static class KernelPtx
{
    public static readonly string[] Targets = ["sm_80", "sm_90"];

    public static IReadOnlyList<CompiledPtx> Compile(string target)
    {
        var (architecture, isa) = target switch
        {
            "sm_80" => (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70),
            "sm_90" => (CudaArchitecture.SM_90, CudaInstructionSet.ISA_78),
            _ => throw new ArgumentException($"unknown PTX target '{target}' (expected {string.Join(" or ", Targets)})"),
        };
        using var backend = new PTXBackend(GpuDevice.Context, new CudaCapabilityContext(architecture), architecture, isa, null);
        return GpuKernelCatalog.All
            .Select(kernel => new CompiledPtx(kernel, ((PTXCompiledKernel)backend.Compile(kernel.EntryPoint, KernelSpecialization.Empty)).PTXAssembly))
            .ToList();
    }
}
