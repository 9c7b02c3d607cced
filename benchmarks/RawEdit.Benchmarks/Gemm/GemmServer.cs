// Line protocol used by benchmarks/gemm/side_by_side.py to time CpuGemm inside one process while
// the Python side times torch.matmul, alternating so the two never run at the same time.
//
//   → setup <shape-name> <threads>   ← ok          (allocates the operands, 3 warm-up calls)
//   → time <calls>                   ← <seconds>   (wall time of <calls> back-to-back Sgemm calls)
//   → vector-path                    ← our vector path (MachineInfo.Describe)
//   → quit
//
// Shape legend: see GemmShapes.cs (C[M, N] = A[M, K] · op(B)[K, N]).

using System.Diagnostics;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Benchmarks.Gemm;

public static class GemmServer
{
    public static int Serve(TextReader input, TextWriter output)
    {
        GemmOperands? ops = null;
        string? line;
        while ((line = input.ReadLine()) != null)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0])
            {
                case "setup":
                    ops?.Dispose();
                    CpuGemm.ThreadCount = int.Parse(parts[2]);
                    ops = new GemmOperands(GemmShape.Parse(parts[1]));
                    for (int i = 0; i < 3; i++) ops.Run();
                    output.WriteLine("ok");
                    break;
                case "time":
                    int calls = int.Parse(parts[1]);
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < calls; i++) ops!.Run();
                    output.WriteLine(sw.Elapsed.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case "vector-path":
                    output.WriteLine(MachineInfo.Describe());
                    break;
                case "quit":
                    ops?.Dispose();
                    return 0;
                default:
                    output.WriteLine($"error unknown command '{parts[0]}'");
                    break;
            }
            output.Flush();
        }
        ops?.Dispose();
        return 0;
    }

    /// <summary>Ours only: median GFLOP/s per shape (quick check without Python).</summary>
    public static int Quick(int threads, int repeats, bool extra)
    {
        CpuGemm.ThreadCount = threads;
        Console.WriteLine($"CpuGemm, {threads} thread(s), median of {repeats}");
        foreach (var shape in extra ? GemmShape.Extra : GemmShape.All)
        {
            using var ops = new GemmOperands(shape);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 3; i++) ops.Run();
            int calls = Math.Max(1, (int)(0.05 / (sw.Elapsed.TotalSeconds / 3)));
            var times = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                sw.Restart();
                for (int i = 0; i < calls; i++) ops.Run();
                times[r] = sw.Elapsed.TotalSeconds / calls;
            }
            Array.Sort(times);
            double med = times[repeats / 2];
            Console.WriteLine($"{shape.Name,-26} {shape.Flops / med / 1e9,7:F1} GFLOP/s  (best {shape.Flops / times[0] / 1e9:F1})");
        }
        return 0;
    }
}
