using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// The symmetric eigendecomposition against its definition (A·v = λ·v for every pair, V orthonormal, λ ascending) on random
/// symmetric matrices, a rank-deficient second moment (the null space AlphaEdit projects onto), repeated eigenvalues and
/// a known spectrum; and the LU solver against A·x = b. Tolerances are relative to ‖A‖ (float64: 1e-11 leaves room for n up to 300).
/// </summary>
internal class SymmetricEigenTests
{
    private static double[] RandomSymmetric(int n, int seed)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random.NextDouble() * 2 - 1;
        return a;
    }

    /// <summary>E[kkᵀ] of <paramref name="samples"/> random keys: rank min(samples, n), positive semi-definite.</summary>
    internal static double[] SecondMomentOfFewKeys(int n, int samples, int seed)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int s = 0; s < samples; s++)
        {
            var k = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) a[i * n + j] += k[i] * k[j] / samples;
        }
        return a;
    }

    private static void AssertDecomposes(double[] a, int n, SymmetricEigen eigen, double tolerance = 1e-11)
    {
        double scale = Math.Sqrt(a.Sum(x => x * x));
        Assert.That(eigen.Values, Is.Ordered.Ascending);
        for (int r = 0; r < n; r++)
        {
            var v = eigen.Vector(r).ToArray();
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++) av += a[i * n + j] * v[j];
                Assert.That(av - eigen.Values[r] * v[i], Is.EqualTo(0).Within(tolerance * scale), $"(A − λ_{r})v at {i}");
            }
            for (int s = 0; s <= r; s++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += v[i] * eigen.Vector(s)[i];
                Assert.That(dot, Is.EqualTo(r == s ? 1 : 0).Within(tolerance), $"v_{r}·v_{s}");
            }
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(17)]
    [TestCase(120)]
    [TestCase(300)]
    public void Random_symmetric_matrices_decompose(int n)
    {
        var a = RandomSymmetric(n, seed: n);
        AssertDecomposes(a, n, SymmetricEigen.Of(a, n));
    }

    [Test]
    public void A_second_moment_of_few_keys_has_exactly_its_null_space()
    {
        const int n = 64, samples = 20;
        var a = SecondMomentOfFewKeys(n, samples, seed: 3);
        var eigen = SymmetricEigen.Of(a, n);
        AssertDecomposes(a, n, eigen);
        Assert.That(eigen.Values.Count(v => Math.Abs(v) < 1e-12), Is.EqualTo(n - samples));
        Assert.That(eigen.Values.Skip(n - samples).Min(), Is.GreaterThan(1e-4), "the keys' own directions stay well above zero");
    }

    [Test]
    public void A_known_spectrum_with_repeated_values_is_found()
    {
        // A = Q diag(λ) Qᵀ with Q a product of Householder reflections: λ = 3 (×3), −1, 0 (×2), 5.
        double[] spectrum = [3, 3, 3, -1, 0, 0, 5];
        int n = spectrum.Length;
        var random = new Random(11);
        var q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;
        for (int h = 0; h < 3; h++)
        {
            var v = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            double vv = v.Sum(x => x * x);
            var reflected = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++) sum += ((i == k ? 1 : 0) - 2 * v[i] * v[k] / vv) * q[k * n + j];
                    reflected[i * n + j] = sum;
                }
            q = reflected;
        }
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * spectrum[k] * q[j * n + k];
        var eigen = SymmetricEigen.Of(a, n);
        Assert.That(eigen.Values, Is.EqualTo(spectrum.Order()).Within(1e-12));
        AssertDecomposes(a, n, eigen);
    }

    [TestCase(1)]
    [TestCase(9)]
    [TestCase(260)]
    public void Lu_solves_a_general_system(int n)
    {
        var random = new Random(n);
        var a = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (int i = 0; i < n; i++) a[i * n + i] += i % 2 == 0 ? 0 : 0.01;   // pivoting matters: small diagonals
        var b = Enumerable.Range(0, n * 3).Select(_ => random.NextDouble()).ToArray();   // [n, 3]
        var x = LuDecomposition.InPlace((double[])a.Clone(), n).Solve(b, 3);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
            {
                double ax = 0;
                for (int k = 0; k < n; k++) ax += a[i * n + k] * x[k * 3 + c];
                Assert.That(ax, Is.EqualTo(b[i * 3 + c]).Within(1e-9), $"row {i}, rhs {c}");
            }
    }

    [Test]
    public void Lu_refuses_a_singular_matrix()
    {
        double[] a = [1, 2, 2, 4];
        Assert.That(() => LuDecomposition.InPlace(a, 2), Throws.InvalidOperationException.With.Message.Contains("singular"));
    }
}
