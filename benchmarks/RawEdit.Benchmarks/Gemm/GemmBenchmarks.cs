// BenchmarkDotNet benchmarks of CpuGemm.Sgemm at the GEMM benchmark shapes (see GemmShapes.cs).
//
// Shape legend: C[M, N] = A[M, K] · op(B)[K, N]; GFLOP/s = 2·M·N·K / mean time.
// Run: dotnet run -c Release --project benchmarks/RawEdit.Benchmarks -- --filter '*GemmBenchmarks*'

using BenchmarkDotNet.Attributes;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Benchmarks.Gemm;

[MemoryDiagnoser]
public class GemmBenchmarks
{
    private GemmOperands? _ops;

    public static IEnumerable<GemmShape> Shapes => GemmShape.All;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShape.All[0];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        CpuGemm.ThreadCount = Threads;
        _ops = new GemmOperands(Shape);
    }

    [GlobalCleanup]
    public void Cleanup() => _ops?.Dispose();

    [Benchmark]
    public void Sgemm() => _ops!.Run();
}
