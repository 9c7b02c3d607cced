using System.Text.Json;
using RawEdit.Tensors;
using RawEdit.Tensors.Cuda;
using RawEdit.Tensors.Cuda.Native;

namespace RawEdit.GpuChecks;

/// <summary>
/// Our CUDA GEMM (C = A·B, row-major, no transposes, C in fp32) at each M,N,K: 3 warm-up products, then the median
/// of 5 timings of 10 back-to-back products each, between CUDA events. One JSON line per shape: ms per product,
/// TFLOP/s. Modes: "fp32" (the fp32 kernels), "tf32" (RAWEDIT_CUDA_TF32's tensor-core kernel), "bf16" (A and B
/// stored as bf16, RAWEDIT_CUDA_BF16's tensor-core kernel). tools/gpu/bench-gemm.sh runs this and PyTorch's
/// (cuBLAS) side by side.
/// </summary>
internal static unsafe class GemmTiming
{
    public static readonly string[] Modes = ["fp32", "tf32", "bf16"];

    public static int Run(string mode, IEnumerable<string> shapes)
    {
        if (!Modes.Contains(mode)) throw new InvalidOperationException($"unknown GEMM mode {mode} (one of {string.Join(", ", Modes)})");
        var device = CudaDevice.TryOpen(out var reason) ?? throw new InvalidOperationException($"no CUDA device: {reason}");
        var backend = new CudaBackend(device) { AllowTf32 = mode == "tf32", AllowBf16 = mode == "bf16" };
        var driver = device.Driver;
        foreach (var shape in shapes)
        {
            var dims = shape.Split(',').Select(int.Parse).ToArray();
            int m = dims[0], n = dims[1], k = dims[2];
            var rng = new Random(1);
            float[] Random(long count) => Enumerable.Range(0, checked((int)count)).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            TensorStorage Operand(long count)
            {
                var values = Random(count);
                if (mode != "bf16") return backend.Upload(values);
                var bits = new ushort[values.Length];
                HalfPrecision.FromSingle(DType.BF16, values, bits);
                return backend.UploadHalf(DType.BF16, bits);
            }
            var a = Operand((long)m * k);
            var b = Operand((long)k * n);
            var c = backend.Allocate(DType.F32, (long)m * n);
            void Product() => backend.Gemm(false, false, m, n, k, 1, a, k, 0, b, n, 0, 0, c, n, 0, 1);
            for (int i = 0; i < 3; i++) Product();
            device.Synchronize();
            nint start, stop;
            driver.Check(driver.cuEventCreate(&start, 0), "cuEventCreate");
            driver.Check(driver.cuEventCreate(&stop, 0), "cuEventCreate");
            var times = new List<double>();
            for (int repeat = 0; repeat < 5; repeat++)
            {
                driver.Check(driver.cuEventRecord(start, 0), "cuEventRecord");
                for (int i = 0; i < 10; i++) Product();
                driver.Check(driver.cuEventRecord(stop, 0), "cuEventRecord");
                driver.Check(driver.cuEventSynchronize(stop), "cuEventSynchronize");
                float ms;
                driver.Check(driver.cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
                times.Add(ms / 10);
            }
            driver.cuEventDestroy(start);
            driver.cuEventDestroy(stop);
            times.Sort();
            double median = times[times.Count / 2];
            Console.WriteLine(JsonSerializer.Serialize(new { side = "rawedit", mode, m, n, k, ms = median, tflops = 2.0 * m * n * k / (median * 1e-3) / 1e12 }));
            GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(c);
        }
        return 0;
    }
}
