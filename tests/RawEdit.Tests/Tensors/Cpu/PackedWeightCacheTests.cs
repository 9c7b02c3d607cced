// The packed-weight cache behind CpuBackend.Gemm: a weight used as op(B) again and again is packed once,
// the products stay bit-identical to an uncached Sgemm, and every way of writing the weight drops the panels.
//
// Shape legend: C[m, n] = op(A)[m, k] · op(B)[k, n], B the weight storage ([k, n], or [n, k] with transB).

using RawEdit.Tensors;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;
using static RawEdit.Tests.Tensors.Cpu.GemmTestUtil;

namespace RawEdit.Tests.Tensors.Cpu;

[TestFixture(GemmKernelPath.Avx512), TestFixture(GemmKernelPath.Avx2), NonParallelizable]
internal class PackedWeightCacheTests(GemmKernelPath path) : GemmSettingsFixture(path)
{
    private const int M = 70, K = 300, N = 260; // K·N = 78,000 ≥ PackedWeightCache.MinFloats
    private readonly IBackend _cpu = Backends.Cpu;
    private long _savedBudget;

    [SetUp] public void SaveBudget() => _savedBudget = CpuGemm.PackedWeightCacheBytes;
    [TearDown] public void RestoreBudget() => CpuGemm.PackedWeightCacheBytes = _savedBudget;

    private sealed record Operands(float[] A, TensorStorage Weight, bool TransB);

    private Operands Make(bool transB, int seed)
    {
        var rng = new Random(seed);
        float[] a = Matrix(rng, M, K, K);
        float[] w = Matrix(rng, transB ? N : K, transB ? K : N, transB ? K : N);
        return new Operands(a[..(M * K)], _cpu.Upload(w.AsSpan(0, K * N)), transB);
    }

    /// <summary>C through the backend (cache may apply).</summary>
    private float[] Backend(Operands o)
    {
        var a = _cpu.Upload(o.A);
        var c = _cpu.Allocate(DType.F32, M * N);
        _cpu.Gemm(false, o.TransB, M, N, K, 1.0, a, K, 0, o.Weight, o.TransB ? K : N, 0, 0.0, c, N, 0, 1);
        var result = new float[M * N];
        _cpu.Download(c, result);
        return result;
    }

    /// <summary>C straight from Sgemm on the weight's current contents (no cache).</summary>
    private float[] Direct(Operands o)
    {
        var w = new float[K * N];
        _cpu.Download(o.Weight, w);
        var c = new float[M * N];
        Run(false, o.TransB, M, N, K, 1f, o.A, K, w, o.TransB ? K : N, 0f, c, N);
        return c;
    }

    private static long Held(Operands o) => PackedWeightCache.HeldBytes((CpuStorage<float>)o.Weight);

    [Test]
    public void A_weight_seen_twice_is_packed_once_and_gives_the_same_bits([Values] bool transB, [Values(1, 2)] int threads)
    {
        CpuGemm.ThreadCount = threads;
        var o = Make(transB, 11);
        float[] expected = Direct(o);
        Assert.That(BitEqual(Backend(o), expected), "first product (not cached)");
        Assert.That(Held(o), Is.Zero, "one sighting packs nothing");
        Assert.That(BitEqual(Backend(o), expected), "second product (packs the weight)");
        Assert.That(Held(o), Is.GreaterThanOrEqualTo((long)K * N * sizeof(float)), "the panels are held");
        Assert.That(BitEqual(Backend(o), expected), "third product (from the panels)");
    }

    public static IEnumerable<TestCaseData> WriteRoutes()
    {
        yield return Route("Axpby", (cpu, w) => cpu.Axpby(0.5, cpu.Upload(Ones(K * N)), 1.0, w));
        yield return Route("Binary in place", (cpu, w) => cpu.Binary(BinaryOp.Mul, w, [K * N], cpu.Upload(Ones(K * N, 3f)), [K * N], w, [K * N]));
        yield return Route("Copy into", (cpu, w) => cpu.Copy(cpu.Upload(Ones(10, -2f)), 0, w, 17, 10));
        yield return Route("Fill", (cpu, w) => cpu.Fill(w, 0.25));
        yield return Route("ScatterAddRows", (cpu, w) => cpu.ScatterAddRows(cpu.Upload(Ones(N)), N, [3], w));
        yield return Route("AdamWUpdate", (cpu, w) => cpu.AdamWUpdate(w, cpu.Upload(Ones(K * N)), cpu.Allocate(DType.F32, K * N),
            cpu.Allocate(DType.F32, K * N), 1e-2, 0.9, 0.999, 1e-8, 0.0, 1));
        yield return Route("through Data", (_, w) => ((CpuStorage<float>)w).Data[5] += 1f);
    }

    private static TestCaseData Route(string name, Action<IBackend, TensorStorage> write) =>
        new TestCaseData(write).SetArgDisplayNames(name);

    private static float[] Ones(int count, float value = 1f) => Enumerable.Repeat(value, count).ToArray();

    [TestCaseSource(nameof(WriteRoutes))]
    public void Every_write_to_the_weight_drops_its_panels(Action<IBackend, TensorStorage> write)
    {
        foreach (bool transB in new[] { false, true })
        {
            var o = Make(transB, 23);
            float[] old = Direct(o);
            for (int i = 0; i < 3; i++) Assert.That(BitEqual(Backend(o), old));
            Assert.That(Held(o), Is.Positive, "cached before the write");
            write(_cpu, o.Weight);
            float[] expected = Direct(o);
            Assert.That(BitEqual(expected, old), Is.False, "the write changed the product");
            Assert.That(BitEqual(Backend(o), expected), $"transB={transB}: product right after the write");
            Assert.That(Held(o), Is.Zero, "the write dropped the panels");
            Assert.That(BitEqual(Backend(o), expected), $"transB={transB}: products after re-packing");
            Assert.That(BitEqual(Backend(o), expected), $"transB={transB}: products from the new panels");
        }
    }

    [Test]
    public void A_zero_budget_keeps_nothing()
    {
        CpuGemm.PackedWeightCacheBytes = 0;
        var o = Make(false, 5);
        for (int i = 0; i < 3; i++) Assert.That(BitEqual(Backend(o), Direct(o)));
        Assert.That(Held(o), Is.Zero);
    }
}
