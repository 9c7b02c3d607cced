// The contract between the blocked GEMM driver and one register-blocked micro-kernel, and the choice
// of kernel at run time.
//
// Shape legend (row-major, fp32):
//   packed A micro-panel : kc × MR, k-major: a[p*MR + i] = op(A)[i, p]
//   packed B micro-panel : kc × NR, k-major: b[p*NR + j] = op(B)[p, j]
//   C tile               : MR × NR, row stride ldc
//
// Every kernel keeps one accumulator lane per C element, a plain FMA chain over p = 0..kc-1 in order,
// and writes back with the same formula (c = alpha·acc, or c = fma(acc, alpha, beta·c)). With the k
// blocking fixed by k alone (GemmBlocked.KBlock), every path therefore gives bit-identical results.
// The driver is generic over the kernel type, so the JIT compiles one specialised copy per kernel
// with MR, NR and the block sizes as constants.

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEdit.Tensors.Cpu;

/// <summary>Which micro-kernel family the packed fp32 GEMM uses.</summary>
internal enum GemmKernelPath
{
    /// <summary>Portable triple loop (no SIMD); used where AVX2+FMA is missing.</summary>
    Reference,

    /// <summary>6×16 tile of 256-bit vectors (AVX2 + FMA).</summary>
    Avx2,

    /// <summary>12×32 tile of 512-bit vectors (AVX-512F).</summary>
    Avx512,
}

internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the register tile (A micro-panel width).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile (B micro-panel width); a multiple of the vector width.</summary>
    static abstract int NR { get; }

    /// <summary>Row block: the packed A block MC × KC stays in L2. A multiple of MR.</summary>
    static abstract int MC { get; }

    /// <summary>Column block: the packed B block KC × NC stays in L3. A multiple of NR.</summary>
    static abstract int NC { get; }

    /// <summary>Full tile: C[0..MR, 0..NR] = alpha·(a·b) (+ beta·C), a and b packed micro-panels of depth kc.</summary>
    static abstract void Tile(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, bool overwrite);

    /// <summary>
    /// An edge tile (mr &lt; MR rows or nr &lt; NR columns) the kernel computes straight into C with the same FMA
    /// chains as the full tile; false leaves it to the driver's scratch-tile path.
    /// </summary>
    static virtual bool TryEdgeTile(int kc, float* a, float* b, float* c, nint ldc, int mr, int nr,
        float alpha, float beta, bool overwrite) => false;

    /// <summary>Full A micro-panel from row-major storage: op(A)[i, p] = src[i*lda + p], i &lt; MR.</summary>
    static abstract void PackARows(float* src, nint lda, int kc, float* panel);

    /// <summary>Full A micro-panel from transposed storage: op(A)[i, p] = src[p*lda + i], i &lt; MR.</summary>
    static abstract void PackAColumns(float* src, nint lda, int kc, float* panel);

    /// <summary>Full B micro-panel from row-major storage: op(B)[p, j] = src[p*ldb + j], j &lt; NR. panel 64-byte aligned.</summary>
    static abstract void PackBRows(float* src, nint ldb, int kc, float* panel);

    /// <summary>Full B micro-panel from transposed storage: op(B)[p, j] = src[j*ldb + p], j &lt; NR. panel 64-byte aligned.</summary>
    static abstract void PackBColumns(float* src, nint ldb, int kc, float* panel);
}

internal static partial class CpuGemm
{
    private static GemmKernelPath s_kernelPath = DefaultKernelPath();

    /// <summary>The widest kernel path this CPU runs (<see cref="GemmKernelPath.Avx512"/> needs AVX-512F, Avx2 needs AVX2+FMA).</summary>
    public static GemmKernelPath BestKernelPath =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && Fma.IsSupported ? GemmKernelPath.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? GemmKernelPath.Avx2
        : GemmKernelPath.Reference;

    /// <summary>True when this CPU can run <paramref name="path"/>.</summary>
    public static bool IsSupported(GemmKernelPath path) => path <= BestKernelPath;

    /// <summary>
    /// The kernel path fp32 GEMMs use (default: <see cref="BestKernelPath"/>, or the environment variable
    /// <c>RAWEDIT_GEMM_PATH</c> = <c>avx512</c> | <c>avx2</c> | <c>reference</c>). Every path gives the same
    /// bits; only the speed differs.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The CPU cannot run the path.</exception>
    public static GemmKernelPath KernelPath
    {
        get => s_kernelPath;
        set
        {
            if (!IsSupported(value))
                throw new PlatformNotSupportedException($"GEMM kernel path {value} needs CPU features this machine lacks (best: {BestKernelPath}).");
            s_kernelPath = value;
        }
    }

    private static GemmKernelPath DefaultKernelPath()
    {
        string? requested = Environment.GetEnvironmentVariable("RAWEDIT_GEMM_PATH");
        if (string.IsNullOrWhiteSpace(requested)) return BestKernelPath;
        if (!Enum.TryParse(requested.Trim(), ignoreCase: true, out GemmKernelPath path) || !Enum.IsDefined(path))
            throw new ArgumentException($"RAWEDIT_GEMM_PATH='{requested}' is not one of avx512, avx2, reference.");
        if (!IsSupported(path))
            throw new PlatformNotSupportedException($"RAWEDIT_GEMM_PATH={requested}: this CPU's best GEMM path is {BestKernelPath}.");
        return path;
    }
}
