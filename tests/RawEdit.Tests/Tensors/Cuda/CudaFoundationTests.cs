using System.Text.RegularExpressions;
using RawEdit.Tensors.Cuda;
using RawEdit.Tensors.Cuda.Native;

namespace RawEdit.Tests.Tensors.Cuda;

/// <summary>
/// What of the CUDA backend can be checked without a GPU: the embedded kernel sources, their compilation by NVRTC
/// (where the library is installed; NVRTC needs no device), the PTX cache, argument packing, and the reason given
/// when no device is usable.
/// </summary>
public class CudaFoundationTests : TempFolderTest
{
    // Every kernel the CUDA backend launches, in each element type it uses.
    private static readonly string[] Kernels =
    [
        .. new[]
        {
            "unary", "unary_backward", "binary", "axpby", "fill", "reduce_to_shape", "sum_axis", "broadcast_axis_add", "sum_of_squares",
            "permute", "copy_into_axis", "copy_from_axis", "gather_rows", "scatter_add_rows", "pick_columns", "pick_columns_backward",
            "layer_norm", "layer_norm_backward_dx", "layer_norm_backward_params", "softmax", "softmax_backward",
            "cross_entropy", "cross_entropy_backward", "adamw", "attention_probs", "attention_output", "attention_dscores",
            "attention_dqkv", "rotary", "gemm",
        }.SelectMany(k => new[] { k + "_f32", k + "_f64" }),
        "gemm_large_f32", "gemm_tf32_f32", "gemm_bf16_f32", "gather_rows_f16", "gather_rows_bf16", "f16_to_f32", "bf16_to_f32", "f32_to_f16", "f32_to_bf16", "f32_to_f64", "f64_to_f32",
    ];

    [Test]
    public void The_kernel_sources_are_embedded_header_first_and_define_every_kernel()
    {
        Assert.That(KernelSource.Files[0], Is.EqualTo("common.cuh"));
        Assert.That(KernelSource.Files, Does.Contain("gemm.cu").And.Contain("attention.cu"));
        Assert.That(KernelSource.Files.Skip(1), Is.All.EndsWith(".cu"));
        Assert.That(KernelSource.Text, Does.StartWith("// ---- common.cuh ----").And.Contain("extern \"C\" __global__ void gemm_f32("));
    }

    [TestCase("compute_80")]
    [TestCase("compute_90")]
    public void Every_kernel_compiles_with_nvrtc(string architecture)
    {
        var nvrtc = NvrtcOrIgnore();
        var ptx = nvrtc.CompileToPtx(KernelSource.Text, "rawedit.cu", CudaDevice.CompileOptions(architecture));
        Assert.That(ptx, Does.Contain($".target sm_{architecture["compute_".Length..]}"));
        var entries = Regex.Matches(ptx, @"\.entry (\w+)\(").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.That(Kernels.Where(k => !entries.Contains(k)), Is.Empty, "kernels missing from the PTX");
    }

    [Test]
    public void A_compile_error_carries_the_compiler_log()
    {
        var nvrtc = NvrtcOrIgnore();
        var e = Assert.Throws<CudaException>(() => nvrtc.CompileToPtx("extern \"C\" __global__ void broken() { undefined_helper(); }", "broken.cu",
            CudaDevice.CompileOptions("compute_80")))!;
        Assert.That(e.Message, Does.Contain("nvrtcCompileProgram(broken.cu").And.Contain("undefined_helper"));
    }

    [Test]
    public void The_cache_compiles_once_per_source_and_options_and_replaces_a_damaged_entry()
    {
        int compiles = 0;
        string Fake(string source, IReadOnlyList<string> options) { compiles++; return $"//\n.version 7.8\n.target sm_80\n// {source} {options[0]}\n.entry k() {{ }}"; }
        var cache = new PtxCache(Path.Combine(temp, "cache"), Fake, "fake 1.0");
        var first = cache.GetOrCompile("source A", ["--gpu-architecture=compute_80"]);
        Assert.That(cache.GetOrCompile("source A", ["--gpu-architecture=compute_80"]), Is.EqualTo(first));
        Assert.That(compiles, Is.EqualTo(1), "a second request for the same source and options is a hit");

        cache.GetOrCompile("source A", ["--gpu-architecture=compute_90"]);
        cache.GetOrCompile("source B", ["--gpu-architecture=compute_80"]);
        Assert.That(compiles, Is.EqualTo(3), "options and source are part of the key");
        Assert.That(new PtxCache(cache.Folder, Fake, "fake 2.0").PathFor("source A", ["--gpu-architecture=compute_80"]),
            Is.Not.EqualTo(cache.PathFor("source A", ["--gpu-architecture=compute_80"])), "so is the compiler version");

        var path = cache.PathFor("source A", ["--gpu-architecture=compute_80"]);
        File.WriteAllText(path, first[..20]);   // cut short, as by a crash of some other writer
        Assert.That(cache.GetOrCompile("source A", ["--gpu-architecture=compute_80"]), Is.EqualTo(first));
        Assert.That(compiles, Is.EqualTo(4), "a damaged entry is compiled again");
        Assert.That(File.ReadAllText(path), Is.EqualTo(first), "and replaced");
        Assert.That(Directory.GetFiles(cache.Folder, "*.tmp"), Is.Empty, "no temporary files left behind");
    }

    [Test]
    public void The_memory_pool_reuses_blocks_by_size_and_gives_them_back_when_memory_runs_out()
    {
        long capacity = 8L << 20, used = 0;
        ulong next = 0x1000;
        var live = new Dictionary<ulong, long>();
        var freed = new List<ulong>();
        ulong? Allocate(long bytes)
        {
            if (used + bytes > capacity) return null;
            used += bytes;
            live[next] = bytes;
            return next++;
        }
        void Free(ulong p) { used -= live[p]; live.Remove(p); freed.Add(p); }
        var pool = new DeviceMemoryPool(Allocate, Free);

        Assert.That(DeviceMemoryPool.RoundUp(1), Is.EqualTo(512));
        Assert.That(DeviceMemoryPool.RoundUp(1000), Is.EqualTo(1024));
        Assert.That(DeviceMemoryPool.RoundUp((1 << 20) + 1), Is.EqualTo(2L << 20));
        var a = pool.Rent(1000, () => "a");
        pool.Return(a, 1000);
        Assert.That(pool.CachedBytes, Is.EqualTo(1024));
        Assert.That(pool.Rent(900, () => "b"), Is.EqualTo(a), "a block of the same bucket is reused");
        Assert.That(live, Has.Count.EqualTo(1));

        var big = pool.Rent(6L << 20, () => "c");
        pool.Return(big, 6L << 20);
        var other = pool.Rent(4L << 20, () => "d");            // does not fit beside the cached 6 MiB block
        Assert.That(freed, Is.EqualTo(new[] { big }), "the cached block was freed to make room");
        Assert.That(pool.CachedBytes, Is.Zero);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Rent(16L << 20, () => "out of memory for 16 MiB"))!;
        Assert.That(e.Message, Is.EqualTo("out of memory for 16 MiB"));
        GC.KeepAlive(other);
    }

    [Test]
    public void Arguments_are_packed_at_their_natural_alignment()
    {
        var arguments = new KernelArguments().Int(7).Long(-2).Float(1.5f).Dims(KernelDims.Of([3, 4])).Double(2.25);
        Assert.That(arguments.Offsets, Is.EqualTo(new[] { 0, 8, 16, 24, 96 }));
        Assert.That(BitConverter.ToInt32(arguments.Data, 0), Is.EqualTo(7));
        Assert.That(BitConverter.ToInt64(arguments.Data, 8), Is.EqualTo(-2));
        Assert.That(BitConverter.ToInt32(arguments.Data, 24), Is.EqualTo(2), "Dims.rank");
        Assert.That(BitConverter.ToInt64(arguments.Data, 32), Is.EqualTo(3), "Dims.size[0] after rank and its padding");
        Assert.That(BitConverter.ToDouble(arguments.Data, 96), Is.EqualTo(2.25));
        Assert.Throws<ArgumentException>(() => KernelDims.Of(new long[9]));
    }

    [Test]
    public void Opening_a_device_either_succeeds_or_says_why_not()
    {
        var device = CudaDevice.TryOpen(out var reason);
        if (device is null)
        {
            Assert.That(reason, Does.Match("CUDA driver library|cuInit failed|sees no device|NVRTC"), reason);
            return;
        }
        Assert.That(device.Name, Is.Not.Empty);
        Assert.That(device.Architecture, Does.StartWith("compute_"));
        Assert.That(device.Function("gemm_f32"), Is.Not.EqualTo(0));
    }

    private static NvrtcApi NvrtcOrIgnore()
    {
        var nvrtc = NvrtcApi.TryLoad(out var reason);
        if (nvrtc is null) Assert.Ignore($"skipped: {reason}");
        return nvrtc!;
    }
}
