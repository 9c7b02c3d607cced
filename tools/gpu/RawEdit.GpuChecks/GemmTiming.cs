using System.Text.Json;
using RawEdit.Tensors;
using RawEdit.Tensors.Cuda;
using RawEdit.Tensors.Cuda.Native;

namespace RawEdit.GpuChecks;

/// <summary>
/// Our CUDA fp32 GEMM (C = A·B, row-major, no transposes) at each M,N,K: 3 warm-up products, then the median of 5
/// timings of 10 back-to-back products each, between CUDA events. One JSON line per shape: ms per product, TFLOP/s.
/// tools/gpu/bench-gemm.sh runs this and PyTorch's (cuBLAS) side by side.
/// </summary>
internal static unsafe class GemmTiming
{
    public static int Run(IEnumerable<string> shapes)
    {
        var device = CudaDevice.TryOpen(out var reason) ?? throw new InvalidOperationException($"no CUDA device: {reason}");
        var backend = new CudaBackend(device);
        var driver = device.Driver;
        foreach (var shape in shapes)
        {
            var dims = shape.Split(',').Select(int.Parse).ToArray();
            int m = dims[0], n = dims[1], k = dims[2];
            var rng = new Random(1);
            float[] Random(long count) => Enumerable.Range(0, checked((int)count)).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var a = backend.Upload(Random((long)m * k));
            var b = backend.Upload(Random((long)k * n));
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
            Console.WriteLine(JsonSerializer.Serialize(new { side = "rawedit", m, n, k, ms = median, tflops = 2.0 * m * n * k / (median * 1e-3) / 1e12 }));
            GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(c);
        }
        return 0;
    }
}
