using System.Reflection;
using ILGPU.Backends.EntryPoints;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tensors.Gpu;

/// <summary>One kernel specialisation the GPU backend launches: its family (the Gpu/Kernels class), a name, and its method with every type argument bound.</summary>
internal sealed record GpuKernel(string Family, string Name, MethodInfo Method)
{
    /// <summary>Every backend kernel is launched with a KernelConfig (grid and group chosen by the host): ILGPU's explicitly grouped kernels.</summary>
    public EntryPointDescription EntryPoint => EntryPointDescription.FromExplicitlyGroupedKernel(Method);
}

/// <summary>
/// Every kernel specialisation GpuBackend and GemmDispatch launch, in one list, for compiling them all ahead of a GPU
/// (rawedit kernels --ptx) and for the test that no kernel of Gpu/Kernels is left out. Generic kernels appear once per
/// element type the backend uses them with: _f32 (float, Real32) and _f64 (double, Real64).
/// </summary>
internal static class GpuKernelCatalog
{
    public static IReadOnlyList<GpuKernel> All { get; } =
    [
        One("conversion", "f16_to_f32", ConversionKernels.F16ToF32),
        One("conversion", "bf16_to_f32", ConversionKernels.BF16ToF32),
        One("conversion", "f32_to_f16", ConversionKernels.F32ToF16),
        One("conversion", "f32_to_bf16", ConversionKernels.F32ToBF16),
        One("conversion", "f32_to_f64", ConversionKernels.F32ToF64),
        One("conversion", "f64_to_f32", ConversionKernels.F64ToF32),

        .. Pair("elementwise", "fill", ElementwiseKernels.Fill<float>, ElementwiseKernels.Fill<double>),
        .. Pair("elementwise", "unary", ElementwiseKernels.Unary<float, Real32>, ElementwiseKernels.Unary<double, Real64>),
        .. Pair("elementwise", "unary_backward", ElementwiseKernels.UnaryBackward<float, Real32>, ElementwiseKernels.UnaryBackward<double, Real64>),
        .. Pair("elementwise", "binary", ElementwiseKernels.Binary<float>, ElementwiseKernels.Binary<double>),
        .. Pair("elementwise", "axpby", ElementwiseKernels.Axpby<float>, ElementwiseKernels.Axpby<double>),

        .. Pair("reduction", "reduce_to_shape", ReductionKernels.ReduceToShape<float>, ReductionKernels.ReduceToShape<double>),
        .. Pair("reduction", "sum_axis", ReductionKernels.SumAxis<float>, ReductionKernels.SumAxis<double>),
        .. Pair("reduction", "broadcast_axis_add", ReductionKernels.BroadcastAxisAdd<float>, ReductionKernels.BroadcastAxisAdd<double>),
        .. Pair("reduction", "sum_of_squares", ReductionKernels.SumOfSquares<float, Real32>, ReductionKernels.SumOfSquares<double, Real64>),

        .. Pair("layout", "permute", LayoutKernels.Permute<float>, LayoutKernels.Permute<double>),
        .. Pair("layout", "copy_into_axis", LayoutKernels.CopyIntoAxis<float>, LayoutKernels.CopyIntoAxis<double>),
        .. Pair("layout", "copy_from_axis", LayoutKernels.CopyFromAxis<float>, LayoutKernels.CopyFromAxis<double>),
        .. Pair("layout", "gather_rows", LayoutKernels.GatherRows<float>, LayoutKernels.GatherRows<double>),
        One("layout", "gather_rows_f16", LayoutKernels.GatherRowsF16),
        One("layout", "gather_rows_bf16", LayoutKernels.GatherRowsBF16),
        .. Pair("layout", "scatter_add_rows", LayoutKernels.ScatterAddRows<float>, LayoutKernels.ScatterAddRows<double>),
        .. Pair("layout", "pick_columns", LayoutKernels.PickColumns<float>, LayoutKernels.PickColumns<double>),
        .. Pair("layout", "pick_columns_backward", LayoutKernels.PickColumnsBackward<float>, LayoutKernels.PickColumnsBackward<double>),

        .. Pair("normalization", "layer_norm", NormalizationKernels.LayerNorm<float, Real32>, NormalizationKernels.LayerNorm<double, Real64>),
        .. Pair("normalization", "layer_norm_backward_dx", NormalizationKernels.LayerNormBackwardDx<float, Real32>, NormalizationKernels.LayerNormBackwardDx<double, Real64>),
        .. Pair("normalization", "layer_norm_backward_params", NormalizationKernels.LayerNormBackwardParams<float>, NormalizationKernels.LayerNormBackwardParams<double>),
        .. Pair("normalization", "softmax", NormalizationKernels.Softmax<float>, NormalizationKernels.Softmax<double>),
        .. Pair("normalization", "softmax_backward", NormalizationKernels.SoftmaxBackward<float>, NormalizationKernels.SoftmaxBackward<double>),

        .. Pair("training", "cross_entropy", TrainingKernels.CrossEntropy<float>, TrainingKernels.CrossEntropy<double>),
        .. Pair("training", "cross_entropy_backward", TrainingKernels.CrossEntropyBackward<float>, TrainingKernels.CrossEntropyBackward<double>),
        .. Pair("training", "adamw", TrainingKernels.AdamW<float>, TrainingKernels.AdamW<double>),

        .. Pair("attention", "attention_probs", AttentionKernels.Probs<float, Real32>, AttentionKernels.Probs<double, Real64>),
        .. Pair("attention", "attention_output", AttentionKernels.Output<float>, AttentionKernels.Output<double>),
        .. Pair("attention", "attention_dscores", AttentionKernels.DScores<float, Real32>, AttentionKernels.DScores<double, Real64>),
        .. Pair("attention", "attention_dqkv", AttentionKernels.DQkv<float>, AttentionKernels.DQkv<double>),
        .. Pair("rotary", "rotary", RotaryKernels.Rotary<float, Real32>, RotaryKernels.Rotary<double, Real64>),

        .. Pair("gemm", "gemm_tiled", GemmKernels.Tiled<float>, GemmKernels.Tiled<double>),
        One("gemm", "gemm_large_tile_f32", LargeTileGemmKernels.Fp32),
        One("gemm", "gemm_tf32", TensorCoreGemmKernels.Tf32<PtxWarpMma>),
        One("gemm", "gemm_bf16", TensorCoreGemmKernels.Bf16<PtxWarpMma>),
    ];

    /// <summary>A kernel with fixed element types.</summary>
    private static GpuKernel One(string family, string name, Delegate kernel) => new(family, name, kernel.Method);

    /// <summary>A generic kernel's fp32 and fp64 instances, name_f32 and name_f64.</summary>
    private static GpuKernel[] Pair(string family, string name, Delegate f32, Delegate f64) =>
        [new(family, name + "_f32", f32.Method), new(family, name + "_f64", f64.Method)];
}
