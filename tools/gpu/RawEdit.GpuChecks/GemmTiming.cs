using System.Diagnostics;
using System.Text.Json;
using ILGPU.Runtime.Cuda;
using RawEdit.Tensors;
using RawEdit.Tensors.Gpu;

namespace RawEdit.GpuChecks;

/// <summary>
/// Our GEMM against cuBLAS (ILGPU.Algorithms' <see cref="CuBlas"/>) on the first CUDA device: C = A·B, row-major, no
/// transposes, C fp32, at each M,N,K. Per mode and shape the two sides alternate for a number of rounds; each side's
/// time is the median of 3 runs of 5 back-to-back products (wall clock, the device synchronised after each run),
/// after 2 warm-ups. Modes:
///   fp32 — ours: the fp32 kernels (GpuBackend with TF32 and bf16 off); cuBLAS: Sgemm, default math (no TF32);
///   tf32 — ours: RAWEDIT_CUDA_TF32's tensor-core kernel; cuBLAS: Sgemm with CUBLAS_TF32_TENSOR_OP_MATH;
///   bf16 — ours: A and B stored as bf16, RAWEDIT_CUDA_BF16's tensor-core kernel; cuBLAS: not timed, as ILGPU.Algorithms
///          1.5.3 binds Sgemm, Dgemm, Cgemm, Zgemm and Hgemm only (no cublasGemmEx, so no bf16 GEMM). Its Sgemm of the
///          same bf16 values (exact products in fp32) is still the reference for the agreement check.
/// Besides the times, each shape reports max |ours − cuBLAS| / max |cuBLAS| (a check run on the GPU itself). Prints one
/// JSON line per measurement, then a table of medians and ratios.
/// </summary>
internal static class GemmTiming
{
    public static readonly string[] Modes = ["fp32", "tf32", "bf16"];

    // CUBLAS_TF32_TENSOR_OP_MATH of cublas_api.h; ILGPU's CuBlasMathMode names only DefaultMath (0) and TensorOpMath (1).
    private const CuBlasMathMode Tf32TensorOpMath = (CuBlasMathMode)3;

    private sealed record Result(string Mode, int M, int N, int K, double OursMs, double? CublasMs, double Difference);

    public static int Run(string mode, int rounds, IEnumerable<string> shapeArguments)
    {
        string[] modes = mode == "all" ? Modes : Modes.Contains(mode) ? [mode]
            : throw new InvalidOperationException($"unknown GEMM mode {mode} (one of {string.Join(", ", Modes)}, all)");
        var shapes = shapeArguments.Select(s => s.Split(',').Select(int.Parse).ToArray()).ToList();
        if (shapes.Count == 0 || shapes.Any(s => s.Length != 3)) throw new InvalidOperationException("shapes are M,N,K");
        var device = (DeviceSelection.TryCuda(out var reason) ?? throw new InvalidOperationException($"no CUDA device: {reason}")).Device;
        device.Bind();
        using var cublas = TryCuBlas(device, out string library);
        Console.Error.WriteLine($"{device}, compute capability {device.ComputeCapability.Major}.{device.ComputeCapability.Minor}; {library}");
        var results = new List<Result>();
        foreach (var s in shapes)
        {
            var (a, b) = (RandomValues((long)s[0] * s[2], 1), RandomValues((long)s[2] * s[1], 2));
            foreach (string m in modes) results.Add(Compare(device, cublas, m, s[0], s[1], s[2], a, b, rounds));
        }
        Console.WriteLine();
        Console.WriteLine("| mode | m × n × k | ours TFLOP/s | cuBLAS TFLOP/s | ours / cuBLAS | max difference / max |C| |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            double flops = 2.0 * r.M * r.N * r.K;
            string theirs = r.CublasMs is { } ms ? $"{flops / (ms * 1e9):F1}" : "n/a", ratio = r.CublasMs is { } c ? $"{c / r.OursMs:F2}" : "n/a";
            Console.WriteLine($"| {r.Mode} | {r.M} × {r.N} × {r.K} | {flops / (r.OursMs * 1e9):F1} | {theirs} | {ratio} | {r.Difference:E1} |");
        }
        return 0;
    }

    /// <summary>cuBLAS on the device's default stream, or null (ours is still timed) and why.</summary>
    private static CuBlas? TryCuBlas(GpuDevice device, out string library)
    {
        try
        {
            var cublas = new CuBlas((CudaAccelerator)device.Accelerator)
            {
                Stream = (CudaStream)device.Accelerator.DefaultStream, PointerMode = CuBlasPointerMode.Host,
            };
            library = $"cuBLAS {cublas.Version}";
            return cublas;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or CuBlasException)
        {
            library = $"cuBLAS unavailable ({e.Message}): ours alone";
            return null;
        }
    }

    /// <summary>Our product of a [m, k] and b [k, n] against cuBLAS's in one mode.</summary>
    private static Result Compare(GpuDevice device, CuBlas? cublas, string mode, int m, int n, int k, float[] a, float[] b, int rounds)
    {
        var backend = new GpuBackend(device) { AllowTf32 = mode == "tf32", AllowBf16 = mode == "bf16" };
        if (mode == "bf16") (a, b) = (RoundedToBf16(a), RoundedToBf16(b));
        // Ours reads bf16 operands as stored (half the bytes); cuBLAS's Sgemm reads the same values widened.
        var (oursA, oursB) = mode == "bf16" ? (UploadBf16(backend, a), UploadBf16(backend, b)) : (backend.Upload(a), backend.Upload(b));
        var (wideA, wideB) = (backend.Upload(a), backend.Upload(b));
        var (oursC, theirsC) = (backend.Allocate(DType.F32, (long)m * n), backend.Allocate(DType.F32, (long)m * n));
        void Ours() => backend.Gemm(false, false, m, n, k, 1, oursA, k, 0, oursB, n, 0, 0, oursC, n, 0, 1);
        // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: cuBLAS multiplies B (n × k, ld n) by A (k × m, ld k).
        void Theirs() => cublas!.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.NonTranspose, n, m, k, 1f,
            View(wideB), n, View(wideA), k, 0f, View(theirsC), n);
        if (cublas is not null) cublas.MathMode = mode == "tf32" ? Tf32TensorOpMath : CuBlasMathMode.DefaultMath;

        var (ours, theirs) = (new List<double>(), new List<double>());
        for (int round = 0; round < rounds; round++)
        {
            ours.Add(Milliseconds(device, Ours));
            Report("rawedit", mode, m, n, k, ours[^1]);
            if (mode == "bf16" || cublas is null) continue;
            theirs.Add(Milliseconds(device, Theirs));
            Report("cublas", mode, m, n, k, theirs[^1]);
        }
        if (mode == "bf16" && cublas is not null) Theirs();   // the fp32 product of the same bf16 values, for the agreement check only
        device.Synchronize();
        double difference = cublas is null ? double.NaN : LargestDifference(backend, oursC, theirsC);
        GC.KeepAlive(oursA); GC.KeepAlive(oursB); GC.KeepAlive(wideA); GC.KeepAlive(wideB);
        return new Result(mode, m, n, k, Median(ours), theirs.Count > 0 ? Median(theirs) : null, difference);
    }

    /// <summary>The median of 3 runs of 5 products, after 2 warm-ups.</summary>
    private static double Milliseconds(GpuDevice device, Action product)
    {
        for (int i = 0; i < 2; i++) product();
        device.Synchronize();
        var runs = new List<double>();
        for (int run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++) product();
            device.Synchronize();
            runs.Add(clock.Elapsed.TotalMilliseconds / 5);
        }
        return Median(runs);
    }

    private static void Report(string side, string mode, int m, int n, int k, double ms) =>
        Console.WriteLine(JsonSerializer.Serialize(new { side, mode, m, n, k, ms, tflops = 2.0 * m * n * k / (ms * 1e-3) / 1e12 }));

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static ILGPU.ArrayView<float> View(TensorStorage storage) => ((GpuStorage)storage).View<float>();

    private static float[] RandomValues(long count, int seed)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)rng.NextDouble() - 0.5f;
        return values;
    }

    private static float[] RoundedToBf16(float[] values)
    {
        var bits = new ushort[values.Length];
        HalfPrecision.FromSingle(DType.BF16, values, bits);
        var rounded = new float[values.Length];
        HalfPrecision.ToSingle(DType.BF16, bits, rounded);
        return rounded;
    }

    private static TensorStorage UploadBf16(GpuBackend backend, float[] values)
    {
        var bits = new ushort[values.Length];
        HalfPrecision.FromSingle(DType.BF16, values, bits);
        return backend.UploadHalf(DType.BF16, bits);
    }

    private static double LargestDifference(GpuBackend backend, TensorStorage ours, TensorStorage theirs)
    {
        var (x, y) = (new float[ours.Length], new float[theirs.Length]);
        backend.Download(ours, x);
        backend.Download(theirs, y);
        double largest = 0, scale = 0;
        for (long i = 0; i < x.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(x[i] - (double)y[i]));
            scale = Math.Max(scale, Math.Abs((double)y[i]));
        }
        return largest / Math.Max(scale, double.Epsilon);
    }
}
