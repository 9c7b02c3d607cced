// Helpers for the GEMM tests: strided random matrices with poisoned padding, the expected result
// from CpuGemm.SgemmReference, and a per-element error bound.
//
// Shape legend (row-major): a matrix of rows × cols with leading dimension ld ≥ cols is stored in
// (rows − 1)·ld + cols floats (+ a few extra); element (r, c) at [offset + r·ld + c].
//
// Error bound. For an output element, let S = |alpha|·Σ_p |op(A)[i,p]·op(B)[p,j]| + |beta·C[i,j]|
// (computed in float64). Any order of fp32 FMA accumulation over k terms, followed by the
// alpha/beta write-back, differs from the exact value by at most γ_{k+2}·S ≈ (k+2)·u·S
// (u = 2⁻²⁴, Higham's worst case). Rounding errors of random-signed data add up like a random walk,
// so the realistic error is ~ √k·u·S; we allow
//     tol = (2 + 4·√k) · u · S + 1e-30,
// i.e. 4× the probabilistic scale (and never above the worst-case bound for k ≥ 16). The reference
// itself (float64) is exact to ≪ u·S. A real bug — a term missing or counted twice, a wrong
// element, a stale C — moves the result by about S/k, which for the k used here (≤ 2048) is ≥ 5×
// larger than tol, and NaN/garbage fails outright.

using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Tensors.Cpu;

internal static unsafe class GemmTestUtil
{
    public const double U = 1.0 / (1 << 24);

    /// <summary>rows × cols values in [-1, 1) at stride ld; padding between rows and after the end is poison.</summary>
    public static float[] Matrix(Random rng, int rows, int cols, int ld, float poison = float.NaN)
    {
        var data = new float[Math.Max(1, (rows - 1) * ld + cols) + 7];
        Array.Fill(data, poison);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                data[r * ld + c] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }

    /// <summary>Per-element tolerance (see file header).</summary>
    public static double[] Tolerance(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var tol = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    s += Math.Abs((double)av * bv);
                }
                double total = Math.Abs(alpha) * s + (beta == 0 ? 0 : Math.Abs((double)beta * c[i * ldc + j]));
                tol[i * n + j] = (2 + 4 * Math.Sqrt(k)) * U * total + 1e-30;
            }
        return tol;
    }

    public static float[] Reference(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = expected)
            CpuGemm.SgemmReference(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        return expected;
    }

    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
            CpuGemm.Sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>Checks the m × n window of actual against expected within tol, and that C's padding is untouched.</summary>
    public static void AssertClose(float[] expected, float[] actual, double[] tol, int m, int n, int ldc, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int idx = 0; idx < actual.Length; idx++)
        {
            int i = idx / ldc, j = idx % ldc;
            bool inside = i < m && j < n;
            float e = expected[idx], g = actual[idx];
            if (!inside)
            {
                if (BitConverter.SingleToInt32Bits(e) != BitConverter.SingleToInt32Bits(g))
                    Assert.Fail($"{what}: padding of C modified at ({i},{j}): {e} → {g}");
                continue;
            }
            double d = Math.Abs((double)e - g);
            if (!(d <= tol[i * n + j]))
                Assert.Fail($"{what}: C[{i},{j}] = {g}, reference {e}, |diff| {d:E3} > tol {tol[i * n + j]:E3}");
        }
    }

    /// <summary>Full check of one Sgemm call against the reference. Returns the result.</summary>
    public static float[] Check(Random rng, bool transA, bool transB, int m, int n, int k, float alpha, float beta,
        int padA = 0, int padB = 0, int padC = 0, float cPoison = 777f)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = Math.Max(1, aCols + padA), ldb = Math.Max(1, bCols + padB), ldc = Math.Max(1, n + padC);
        float[] a = Matrix(rng, aRows, aCols, lda);
        float[] b = Matrix(rng, bRows, bCols, ldb);
        float[] c = Matrix(rng, m, n, ldc, cPoison);
        float[] expected = Reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        double[] tol = Tolerance(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        AssertClose(expected, c, tol, m, n, ldc,
            $"m={m} n={n} k={k} tA={transA} tB={transB} alpha={alpha} beta={beta} ld+=({padA},{padB},{padC})");
        return c;
    }

    public static bool BitEqual(float[] x, float[] y)
    {
        if (x.Length != y.Length) return false;
        for (int i = 0; i < x.Length; i++)
            if (BitConverter.SingleToInt32Bits(x[i]) != BitConverter.SingleToInt32Bits(y[i])) return false;
        return true;
    }
}
