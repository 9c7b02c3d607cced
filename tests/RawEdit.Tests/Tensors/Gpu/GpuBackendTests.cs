using RawEdit.Tensors;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>
/// Every <see cref="IBackend"/> kernel of the ILGPU backend against the CPU backend on the same random inputs (fp32 to
/// 1e-5 relative to the output's scale): on ILGPU's CPU accelerator in every run, with groups of 1 thread (as
/// `--device ilgpu-cpu`) and of 4 (so the group logic runs: tree reductions, a 2 × 2 thread grid per GEMM tile), and
/// on CUDA where a GPU is usable (skipped, saying why, elsewhere). The tensor-core paths need compute capability 8.0.
/// </summary>
[TestFixture("ilgpu-cpu")]
[TestFixture("ilgpu-cpu-4")]
[TestFixture("cuda")]
internal class GpuBackendTests(string device)
{
    private static readonly Lazy<GpuBackend> FourThreadGroups = new(() => new GpuBackend(GpuDevice.OpenCpuSimulator(threadsPerGroup: 4)));
    private readonly IBackend cpu = Backends.Cpu;

    [Test]
    public void The_device_has_the_group_size_the_fixture_names()
    {
        int expected = device switch { "ilgpu-cpu" => 1, "ilgpu-cpu-4" => 4, _ => 256 };
        Assert.That(Gpu().Device.GroupSize, Is.EqualTo(expected));
        Assert.That(Gpu().Device.GemmGroupSize, Is.EqualTo(expected));
    }

    private GpuBackend Gpu()
    {
        if (device == "ilgpu-cpu") return DeviceSelection.CpuSimulator;
        if (device == "ilgpu-cpu-4") return FourThreadGroups.Value;
        var cuda = DeviceSelection.TryCuda(out var reason);
        if (cuda is null) Assert.Ignore($"skipped: no CUDA device ({reason})");
        return cuda!;
    }

    private GpuBackend TensorCores(Func<GpuDevice, GpuBackend> configure)
    {
        var gpu = Gpu();
        if (!gpu.Device.IsCuda || gpu.Device.ComputeCapability.Major < 8)
            Assert.Ignore($"skipped: tensor cores need CUDA compute capability 8.0 ({gpu.Device})");
        return configure(gpu.Device);
    }

    private static float[] Random(int n, int seed, float scale = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static float[] Down(IBackend backend, TensorStorage s)
    {
        var host = new float[s.Length];
        backend.Download(s, host);
        return host;
    }

    private static double LargestMagnitude(float[] values) => values.Max(v => Math.Abs((double)v));

    private static double LargestDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - (double)y)).Max();

    /// <summary>Runs <paramref name="kernel"/> on both backends with the same uploaded inputs and compares the listed outputs.</summary>
    private void Same(float[][] inputs, int[] outputs, Action<IBackend, TensorStorage[]> kernel, double tolerance = 1e-5)
    {
        var gpu = Gpu();
        var onCpu = inputs.Select(x => cpu.Upload(x)).ToArray();
        var onGpu = inputs.Select(x => gpu.Upload(x)).ToArray();
        kernel(cpu, onCpu);
        kernel(gpu, onGpu);
        foreach (int o in outputs)
        {
            var expected = Down(cpu, onCpu[o]);
            var actual = Down(gpu, onGpu[o]);
            double scale = Math.Max(1e-30, expected.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max());
            for (int i = 0; i < expected.Length; i++)
                Assert.That(Math.Abs(actual[i] - (double)expected[i]), Is.LessThanOrEqualTo(tolerance * scale), $"output {o}, element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Test]
    public void Gemm_in_every_transpose_with_batches_and_beta([Values] bool transA, [Values] bool transB, [Values(0.0, 0.5)] double beta)
    {
        const int m = 70, n = 65, k = 33, batch = 2;
        Same([Random(batch * m * k, 1), Random(batch * k * n, 2), Random(batch * m * n, 3)], [2], (be, s) =>
            be.Gemm(transA, transB, m, n, k, 1.5, s[0], transA ? m : k, m * k, s[1], transB ? k : n, k * n, beta, s[2], n, m * n, batch));
    }

    [Test]
    public void Large_gemm_tiles_with_ragged_edges([Values] bool transA, [Values] bool transB)
    {
        const int m = 300, n = 260, k = 77;
        Same([Random(m * k, 33), Random(k * n, 34), Random(m * n, 35)], [2], (be, s) =>
            be.Gemm(transA, transB, m, n, k, 1, s[0], transA ? m : k, 0, s[1], transB ? k : n, 0, 1, s[2], n, 0, 1));
    }

    [Test]
    public void Tf32_tensor_core_gemm_is_within_tf32_rounding([Values] bool transA, [Values] bool transB)
    {
        var tf32 = TensorCores(d => new GpuBackend(d) { AllowTf32 = true });
        const int m = 200, n = 150, k = 96;
        var (x, w, y) = (Random(m * k, 36), Random(k * n, 37), Random(m * n, 38));
        void Product(IBackend be, TensorStorage[] s) =>
            be.Gemm(transA, transB, m, n, k, 1, s[0], transA ? m : k, 0, s[1], transB ? k : n, 0, 0.5, s[2], n, 0, 1);
        var onCpu = new[] { cpu.Upload(x), cpu.Upload(w), cpu.Upload(y) };
        var onGpu = new[] { tf32.Upload(x), tf32.Upload(w), tf32.Upload(y) };
        Product(cpu, onCpu);
        Product(tf32, onGpu);
        var expected = Down(cpu, onCpu[2]);
        var actual = Down(tf32, onGpu[2]);
        double worst = LargestDifference(expected, actual) / LargestMagnitude(expected);
        TestContext.Out.WriteLine($"TF32 worst error relative to the output scale: {worst:E2}");
        // fp32 on either side differs by summation order only (~1e-7); TF32 inputs keep 10 mantissa bits (~1e-4 here).
        Assert.That(worst, Is.LessThan(5e-3).And.GreaterThan(1e-5), "the TF32 path ran, within its bound");
    }

    /// <summary>Values rounded to bf16 (to nearest, ties to even) and widened back, and their bit patterns.</summary>
    private static (float[] Rounded, ushort[] Bits) ToBf16(float[] values)
    {
        var bits = new ushort[values.Length];
        HalfPrecision.FromSingle(DType.BF16, values, bits);
        var rounded = new float[values.Length];
        HalfPrecision.ToSingle(DType.BF16, bits, rounded);
        return (rounded, bits);
    }

    [Test]
    public void Bf16_tensor_core_gemm_is_the_fp32_product_of_bf16_rounded_inputs([Values] bool transA, [Values] bool transB,
        [Values] bool weightStoredAsBf16)
    {
        var bf16 = TensorCores(d => new GpuBackend(d) { AllowBf16 = true });
        const int m = 200, n = 150, k = 100, batch = 2;   // ragged in every dimension (tiles 128 × 128 × 32)
        var (x, w, y) = (Random(batch * m * k, 39), Random(batch * k * n, 40), Random(batch * m * n, 41));
        var (xRounded, _) = ToBf16(x);
        var (wRounded, wBits) = ToBf16(w);
        void Product(IBackend be, TensorStorage[] s) =>
            be.Gemm(transA, transB, m, n, k, 1.5, s[0], transA ? m : k, m * k, s[1], transB ? k : n, k * n, 0.5, s[2], n, m * n, batch);
        // Expected: the CPU's fp32 product of the inputs rounded to bf16 (bf16 × bf16 is exact in fp32, so the two
        // sides differ by summation order only); and of the unrounded inputs, to show the rounding took place.
        var exact = new[] { cpu.Upload(xRounded), cpu.Upload(wRounded), cpu.Upload(y) };
        var unrounded = new[] { cpu.Upload(x), cpu.Upload(w), cpu.Upload(y) };
        var onGpu = new[] { bf16.Upload(x), weightStoredAsBf16 ? bf16.UploadHalf(DType.BF16, wBits) : bf16.Upload(w), bf16.Upload(y) };
        Product(cpu, exact);
        Product(cpu, unrounded);
        Product(bf16, onGpu);
        var expected = Down(cpu, exact[2]);
        var actual = Down(bf16, onGpu[2]);
        double scale = LargestMagnitude(expected);
        double worst = LargestDifference(expected, actual) / scale;
        double fromFp32 = LargestDifference(Down(cpu, unrounded[2]), actual) / scale;
        TestContext.Out.WriteLine($"bf16 path: worst error {worst:E2} against bf16-rounded inputs, {fromFp32:E2} against fp32 inputs");
        Assert.That(worst, Is.LessThan(5e-5), "the fp32 product of the rounded inputs, to summation order (tensor-core accumulation)");
        Assert.That(fromFp32, Is.GreaterThan(5e-4), "the inputs were rounded to bf16 (about 2e-3 here)");
    }

    [Test]
    public void Unary_functions_and_their_derivatives([Values] UnaryOp op)
    {
        var x = Random(1000, 4, 3);
        if (op is UnaryOp.Log or UnaryOp.Sqrt) x = x.Select(v => Math.Abs(v) + 0.1f).ToArray();
        if (op is UnaryOp.Reciprocal) x = x.Select(v => v >= 0 ? v + 0.5f : v - 0.5f).ToArray();
        Same([x, new float[1000], Random(1000, 5), Random(1000, 6)], [1, 3], (be, s) =>
        {
            be.Unary(op, s[0], s[1]);
            be.UnaryBackward(op, s[0], s[1], s[2], s[3]);
        });
    }

    [Test]
    public void Broadcast_binary_ops_and_their_reductions([Values] BinaryOp op)
    {
        int[] aShape = [3, 1, 5], bShape = [4, 1], yShape = [3, 4, 5];
        var b = Random(4, 8).Select(v => v + 2).ToArray();
        Same([Random(15, 7), b, new float[60], new float[15]], [2, 3], (be, s) =>
        {
            be.Binary(op, s[0], aShape, s[1], bShape, s[2], yShape);
            be.ReduceToShape(s[2], yShape, s[3], aShape);
        });
    }

    [Test]
    public void Axpby_fill_and_axis_sums()
    {
        Same([Random(24, 9), Random(24, 10), new float[8], new float[24]], [1, 2, 3], (be, s) =>
        {
            be.Axpby(2, s[0], 0.5, s[1]);
            be.SumAxis(s[1], s[2], 2, 3, 4, accumulate: false);
            be.Fill(s[3], 0.25);
            be.BroadcastAxisAdd(s[2], s[3], 2, 3, 4);
        });
    }

    [Test]
    public void Permutes_and_axis_slices()
    {
        Same([Random(2 * 3 * 4, 11), new float[24], new float[2 * 5 * 4], new float[2 * 2 * 4]], [1, 2, 3], (be, s) =>
        {
            be.Permute(s[0], [2, 3, 4], [2, 0, 1], s[1], accumulate: false);
            be.CopyIntoAxis(s[0], 2, 3, 4, s[2], 5, 1, accumulate: false);
            be.CopyFromAxis(s[0], 2, 3, 4, 1, 2, s[3], accumulate: true);
        });
    }

    [Test]
    public void Row_gathers_scatters_and_column_picks()
    {
        int[] ids = [3, 0, 3, 1], cols = [2, -1, 4, 0];
        Same([Random(5 * 6, 12), new float[4 * 6], Random(4 * 6, 13), new float[4], Random(4 * 6, 14)], [1, 0, 3, 4], (be, s) =>
        {
            be.GatherRows(s[0], 6, ids, s[1]);
            be.ScatterAddRows(s[2], 6, ids, s[0]);
            be.PickColumns(s[4], 6, cols, s[3]);
            be.PickColumnsBackward(s[3], 6, cols, s[4]);
        });
    }

    [Test]
    public void Layer_norm_forward_and_backward()
    {
        const int rows = 7, n = 300;
        Same([Random(rows * n, 15, 4), Random(n, 16), Random(n, 17), new float[rows * n], new float[rows], new float[rows],
              Random(rows * n, 18), new float[rows * n], new float[n], new float[n]], [3, 4, 5, 7, 8, 9], (be, s) =>
        {
            be.LayerNorm(s[0], s[1], s[2], s[3], s[4], s[5], rows, n, 1e-5);
            be.LayerNormBackward(s[0], s[1], s[4], s[5], s[6], s[7], s[8], s[9], rows, n);
        }, 1e-4);
    }

    [Test]
    public void Softmax_and_log_softmax_forward_and_backward([Values] bool log)
    {
        const int rows = 5, n = 1000;
        Same([Random(rows * n, 19, 5), new float[rows * n], Random(rows * n, 20), new float[rows * n]], [1, 3], (be, s) =>
        {
            be.Softmax(s[0], s[1], rows, n, log);
            be.SoftmaxBackward(s[1], s[2], s[3], rows, n, log);
        });
    }

    [Test]
    public void Cross_entropy_forward_and_backward()
    {
        const int rows = 4, n = 5000;
        int[] targets = [7, -1, 4999, 0];
        Same([Random(rows * n, 21, 6), new float[rows], new float[rows], Random(rows, 22), new float[rows * n]], [1, 2, 4], (be, s) =>
        {
            be.SoftmaxCrossEntropy(s[0], targets, s[1], s[2], rows, n);
            be.SoftmaxCrossEntropyBackward(s[0], targets, s[2], s[3], s[4], rows, n);
        });
    }

    [Test]
    public void Attention_forward_and_backward_with_padding([Values] bool masked)
    {
        const int b = 2, t = 9, c = 16, heads = 4;
        var mask = Enumerable.Range(0, b * t).Select(i => i == 0 || i == t + 3 ? 0f : 1f).ToArray();
        Same([Random(b * t * 3 * c, 23), mask, new float[b * t * c], new float[b * heads * t * t], Random(b * t * c, 24), new float[b * t * 3 * c]],
            [2, 3, 5], (be, s) =>
        {
            be.Attention(s[0], masked ? s[1] : null, s[2], s[3], b, t, c, heads);
            be.AttentionBackward(s[0], s[3], s[4], s[5], b, t, c, heads);
        });
    }

    [Test]
    public void Rotary_forward_and_inverse()
    {
        const int b = 2, t = 6, heads = 2, headDim = 8, rotaryDim = 4;
        Same([Random(b * t * heads * headDim, 25), new float[b * t * heads * headDim], Random(b * t * heads * headDim, 26)], [1, 2], (be, s) =>
        {
            be.Rotary(s[0], s[1], b, t, heads, headDim, rotaryDim, inverse: false, accumulate: false);
            be.Rotary(s[1], s[2], b, t, heads, headDim, rotaryDim, inverse: true, accumulate: true);
        });
    }

    [Test]
    public void AdamW_step_and_sum_of_squares()
    {
        Same([Random(3000, 27), Random(3000, 28), Random(3000, 29, 0.1f), Random(3000, 30, 0.1f).Select(Math.Abs).ToArray()], [0, 2, 3], (be, s) =>
            be.AdamWUpdate(s[0], s[1], s[2], s[3], 1e-3, 0.9, 0.999, 1e-8, 0.01, 3));
        var x = Random(100_000, 31);
        double exact = x.Sum(v => (double)v * v);
        // The GPU squares and sums in float64; the CPU sums fp32 squares in chunks of 8,192 (TensorPrimitives), then in float64.
        Assert.That(Gpu().SumOfSquares(Gpu().Upload(x)), Is.EqualTo(exact).Within(1e-12 * exact));
        Assert.That(cpu.SumOfSquares(cpu.Upload(x)), Is.EqualTo(exact).Within(1e-6 * exact));
    }

    [Test]
    public void Half_weights_widen_exactly_and_narrow_to_nearest_even([Values(DType.F16, DType.BF16)] DType half)
    {
        var gpu = Gpu();
        // Besides random values: f16's subnormals (m·2^-24, m < 1024) with the ties between them, which round to even
        // (0.5·2^-24 → 0, 1.5·2^-24 → 2, 2.5·2^-24 → 2), the largest subnormal and smallest normal, fp32's own
        // subnormals, and the overflow edge.
        const float Ulp = 5.9604645e-8f;   // 2^-24
        float[] edges = [0f, -0f, 1e-7f, 0.5f * Ulp, 1.5f * Ulp, 2.5f * Ulp, -2.5f * Ulp, 3.3f * Ulp, 1023.5f * Ulp, 1023.49f * Ulp,
            6.1035156e-5f, 1e-40f, -1e-40f, 65504f, 65519.99f, 65520f, float.PositiveInfinity, float.NegativeInfinity];
        var tiny = Random(1024, 42, 6.2e-5f);   // all in f16's subnormal range
        var values = Random(4096, 32, 70000).Concat(tiny).Concat(edges).ToArray();
        var onCpu = cpu.Convert(cpu.Upload(values), half);
        var onGpu = gpu.Convert(gpu.Upload(values), half);
        Assert.That(Down(gpu, onGpu), Is.EqualTo(Down(cpu, onCpu)), "narrowing, then widening");
        var wide = gpu.Convert(onGpu, DType.F64);
        Assert.That(Down(gpu, gpu.Convert(wide, DType.F32)), Is.EqualTo(Down(cpu, onCpu)), "through float64");
    }
}

/// <summary>Moving tensors between backends: a no-op on the same backend; to a GPU backend and back bit for bit, halves kept half.</summary>
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class TensorMoveTests(string device)
{
    [Test]
    public void Moving_to_the_backend_a_tensor_is_on_keeps_its_storage()
    {
        var t = Tensor.FromArray([1f, 2f, 3f], 3);
        var storage = t.Storage;
        t.MoveTo(Backends.Cpu);
        Assert.That(t.Storage, Is.SameAs(storage));
    }

    [Test]
    public void To_the_device_and_back_is_exact_and_keeps_half_weights_half()
    {
        string? reason = null;
        var gpu = device == "ilgpu-cpu" ? DeviceSelection.CpuSimulator : DeviceSelection.TryCuda(out reason);
        if (gpu is null) Assert.Ignore($"skipped: no CUDA device ({reason})");
        var values = Enumerable.Range(0, 1000).Select(i => MathF.Sin(i) * 100).ToArray();
        var full = Tensor.FromArray(values, 10, 100);
        var half = Tensor.FromArray(values, 10, 100).To(DType.BF16);
        var expectedHalf = half.ToFloatArray();
        foreach (var t in new[] { full, half }) t.MoveTo(gpu);
        Assert.That(half.DType, Is.EqualTo(DType.BF16));
        Assert.That(full.Backend, Is.SameAs(gpu));
        foreach (var t in new[] { full, half }) t.MoveTo(Backends.Cpu);
        Assert.That(full.ToFloatArray(), Is.EqualTo(values));
        Assert.That(half.ToFloatArray(), Is.EqualTo(expectedHalf));
    }
}
