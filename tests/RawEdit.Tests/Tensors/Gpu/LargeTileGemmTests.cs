using ILGPU;
using ILGPU.Runtime;
using RawEdit.Tensors.Gpu;
using static RawEdit.Tests.Tensors.Gpu.GemmCases;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>
/// The large-tile fp32 GEMM, which the backend takes on CUDA only (it needs 256-thread groups), run with its own code on
/// ILGPU's CPU accelerator with GPU-shaped groups, against the CPU backend: every transpose, padded leading
/// dimensions, edges ragged in m, n and k, batches, alpha and beta (beta = 0 never reading C).
/// </summary>
[TestFixture, NonParallelizable]
internal class LargeTileGemmTests
{
    [Test]
    public void Large_tile_kernel_matches_the_cpu_product([Values] bool transA, [Values] bool transB, [Values(0f, 0.5f)] float beta)
    {
        const int m = 300, n = 260, k = 77, batch = 2;   // 3 × 3 tiles of 128, k slices of 8: every edge ragged
        var s = Shape(transA, transB, m, n, k);
        var (a, b, c) = (Random(batch * s.StrideA, 11), Random(batch * s.StrideB, 12), Random(batch * s.StrideC, 13));
        if (beta == 0) Array.Fill(c, float.NaN);   // beta = 0 must not read C
        var accelerator = WideGroups.Accelerator;
        using var onA = accelerator.Allocate1D(a);
        using var onB = accelerator.Allocate1D(b);
        using var onC = accelerator.Allocate1D(c);
        GemmDispatch.LaunchLargeTile(accelerator, s, 1.5f, onA.View, onB.View, beta, onC.View, batch);
        accelerator.Synchronize();
        AssertSameProduct(CpuProduct(s, 1.5, a, b, beta, c, batch), onC.GetAsArray1D(), 1e-5);
    }
}
