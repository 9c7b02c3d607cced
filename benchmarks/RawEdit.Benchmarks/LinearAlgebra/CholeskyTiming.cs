using System.Diagnostics;
using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Benchmarks.LinearAlgebra;

/// <summary>
/// `cholesky N…`: the float64 factorisation MEMIT and ROME solve with (λC + KKᵀ, C), timed at each size on a
/// well-conditioned random SPD matrix (0.01-scaled uniform off-diagonal, dominant diagonal), in place as MEMIT runs
/// it. Each size runs twice and the second (warm, JIT settled) time is reported with its n³/3 GFLOP/s, then one
/// solve. GPT-2 XL's keys are 6,400 wide, GPT-J's 16,384 (2 GiB per matrix).
/// </summary>
public static class CholeskyTiming
{
    public static int Run(IEnumerable<int> sizes)
    {
        foreach (int n in sizes)
        {
            double seconds = 0;
            Cholesky? factor = null;
            for (int repeat = 0; repeat < 2; repeat++)
            {
                var a = RandomSpd(n);
                var clock = Stopwatch.StartNew();
                factor = Cholesky.InPlace(a, n);
                seconds = clock.Elapsed.TotalSeconds;
            }
            var solve = Stopwatch.StartNew();
            factor!.SolveMany(new double[n], 1);
            Console.WriteLine($"n = {n,6}: factor {seconds,7:F2} s  {(double)n * n * n / 3 / seconds / 1e9,5:F1} GFLOP/s   solve {solve.Elapsed.TotalSeconds:F2} s");
        }
        return 0;
    }

    private static double[] RandomSpd(int n)
    {
        var a = GC.AllocateUninitializedArray<double>(checked(n * n));
        var rng = new Random(1);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = rng.NextDouble() * 0.01;
            a[i * n + i] = n * 0.01 + 1;
        }
        return a;
    }
}
