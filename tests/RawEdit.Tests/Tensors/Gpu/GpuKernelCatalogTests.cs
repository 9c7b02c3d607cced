using System.Diagnostics;
using System.Reflection;
using RawEdit.Tensors.Gpu;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>
/// The kernel catalog against the kernels that exist (public static void methods of the Gpu/Kernels classes), and every
/// catalog kernel compiled to PTX for sm_90 with no GPU: each one compiles, the tensor-core GEMMs hold mma.sync.
/// </summary>
internal class GpuKernelCatalogTests
{
    private static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(GemmKernels).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(GemmKernels).Namespace && !t.IsNested && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Kernels"))   // the static kernel classes (GroupReduce, KernelIndex: device helpers)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void));

    private static MethodInfo Definition(MethodInfo m) => m.IsGenericMethod ? m.GetGenericMethodDefinition() : m;

    [Test]
    public void Every_kernel_method_is_in_the_catalog_with_each_element_type()
    {
        var kernels = KernelMethods().ToList();
        Assert.That(kernels, Has.Count.GreaterThan(30), "the reflection finds the kernels");
        foreach (var kernel in kernels)
        {
            var instances = GpuKernelCatalog.All.Where(k => Definition(k.Method) == kernel).Select(k => k.Method).ToList();
            Assert.That(instances, Is.Not.Empty, $"{kernel.DeclaringType!.Name}.{kernel.Name} is not in GpuKernelCatalog");
            if (!kernel.IsGenericMethodDefinition) continue;
            var first = kernel.GetGenericArguments()[0];
            if (first.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWarpMma<>)))
                Assert.That(instances.Select(m => m.GetGenericArguments()[0]), Does.Contain(typeof(PtxWarpMma)), $"{kernel.Name} with the PTX tensor cores");
            else
                Assert.That(instances.Select(m => m.GetGenericArguments()[0]), Is.SupersetOf(new[] { typeof(float), typeof(double) }), $"{kernel.Name} for fp32 and fp64");
        }
        Assert.That(GpuKernelCatalog.All.Select(k => k.Name), Is.Unique);
    }

    [Test]
    public void Every_kernel_compiles_to_ptx_for_sm_90_and_the_tensor_core_gemms_use_mma_sync()
    {
        var clock = Stopwatch.StartNew();
        var compiled = KernelPtx.Compile("sm_90");
        TestContext.Out.WriteLine($"{compiled.Count} kernels compiled to PTX in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(compiled.Select(c => c.Kernel), Is.EqualTo(GpuKernelCatalog.All));
        foreach (var c in compiled)
        {
            // PTX ISA 7.8 is the first to know sm_90; ILGPU 1.5.3 writes .target sm_80 for any newer architecture.
            Assert.That((c.Facts.Version, c.Facts.Target), Is.EqualTo(("7.8", "sm_80")).Or.EqualTo(("7.8", "sm_90")), c.Kernel.Name);
            Assert.That(c.Assembly, Does.Contain(".visible .entry"), c.Kernel.Name);
            bool tensorCores = c.Kernel.Name is "gemm_tf32" or "gemm_bf16";
            Assert.That(c.Facts.MmaSync, tensorCores ? Is.EqualTo(16) : Is.Zero, $"{c.Kernel.Name}: a warp's 4 × 4 m16n8 tiles per k-step");
        }
        var tf32 = compiled.Single(c => c.Kernel.Name == "gemm_tf32").Assembly;
        var bf16 = compiled.Single(c => c.Kernel.Name == "gemm_bf16").Assembly;
        Assert.That(tf32, Does.Contain("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {acc0, acc1, acc2, acc3}"));
        Assert.That(bf16, Does.Contain("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {acc60, acc61, acc62, acc63}"));
        foreach (var text in new[] { tf32, bf16 })
            Assert.That(text.Split(".reg .f32 acc<64>;"), Has.Length.EqualTo(2), "the accumulator registers are declared exactly once");
    }

    [Test]
    public void Ptx_facts_are_read_off_the_declarations_and_instructions()
    {
        const string ptx = """
            .version 7.8
            .target sm_80, debug
            .visible .entry Kernel_X(
            )
            {
            	.local .align 4 .b8 __local_depot0[4];
            	.local .align 8 .b8 __local_depot1[16];
            	.shared .align 4 .b8 __shared_alloca0[8448];
            	.reg .pred	%p<22>;
            	.reg .b32	%r<158>;
            	.reg .f32 acc<64>;
            	st.local.f32	[%rd10], %f1;
            	st.local.f32	[%rd10], %f2;
            	mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {acc0, acc1, acc2, acc3}, {%r1, %r2, %r3, %r4}, {%r5, %r6}, {acc0, acc1, acc2, acc3};
            	ret;
            }
            """;
        var facts = PtxFacts.Of(ptx);
        Assert.That(facts, Is.EqualTo(new PtxFacts("7.8", "sm_80", ptx.Length, 22 + 158 + 64, 8448, false, 20, 2, 1)));
        Assert.That(PtxFacts.Of(".extern .shared .align 4 .b8 __dyn_shared_alloca[];").DynamicShared);
    }
}
