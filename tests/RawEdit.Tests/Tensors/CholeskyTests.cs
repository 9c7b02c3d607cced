using RawEdit.Tensors.LinearAlgebra;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// The blocked Cholesky against the definition: L lower triangular with L·Lᵀ = A, computed here with plain loops, at
/// sizes that are and are not multiples of the block and of the kernel's 6×8 tiles; and blocked against one block
/// (which is the unblocked column algorithm).
/// </summary>
internal class CholeskyTests
{
    [TestCase(1, 128)]
    [TestCase(7, 4)]
    [TestCase(53, 16)]
    [TestCase(130, 128)]
    [TestCase(301, 32)]
    [TestCase(600, 128)]
    public void Factor_reproduces_the_matrix_and_is_lower_triangular(int n, int block)
    {
        var a = SymmetricPositiveDefinite(n, seed: n);
        var l = (double[])a.Clone();
        BlockedCholesky.Factor(l, n, block);

        double scale = a.Max(Math.Abs);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (j > i) { Assert.That(l[i * n + j], Is.EqualTo(0.0), $"upper triangle at ({i}, {j})"); continue; }
                double product = 0;
                for (int c = 0; c <= j; c++) product += l[i * n + c] * l[j * n + c];
                Assert.That(product, Is.EqualTo(a[i * n + j]).Within(1e-12 * scale * n), $"(L·Lᵀ)[{i}, {j}]");
            }
    }

    [Test]
    public void Blocked_and_unblocked_factors_agree()
    {
        const int n = 257;
        var a = SymmetricPositiveDefinite(n, seed: 3);
        var blocked = (double[])a.Clone();
        var unblocked = (double[])a.Clone();
        BlockedCholesky.Factor(blocked, n, 24);
        BlockedCholesky.Factor(unblocked, n, n);
        for (int i = 0; i < n * n; i++)
            Assert.That(blocked[i], Is.EqualTo(unblocked[i]).Within(1e-10 * (1 + Math.Abs(unblocked[i]))), $"element {i}");
    }

    [Test]
    public void Only_the_lower_triangle_is_read()
    {
        const int n = 40;
        var a = SymmetricPositiveDefinite(n, seed: 8);
        var poisoned = (double[])a.Clone();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) poisoned[i * n + j] = double.NaN;
        var x = new Cholesky(a, n).Solve(Enumerable.Repeat(1.0, n).ToArray());
        var y = new Cholesky(poisoned, n).Solve(Enumerable.Repeat(1.0, n).ToArray());
        Assert.That(y, Is.EqualTo(x));
    }

    [Test]
    public void In_place_factor_solves_like_the_copying_one()
    {
        const int n = 150;
        var a = SymmetricPositiveDefinite(n, seed: 11);
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        var copying = new Cholesky(a, n).Solve(b);
        var inPlace = Cholesky.InPlace((double[])a.Clone(), n).Solve(b);
        Assert.That(inPlace, Is.EqualTo(copying));
        // And the solve satisfies A·x = b.
        for (int i = 0; i < n; i++)
        {
            double ax = 0;
            for (int j = 0; j < n; j++) ax += a[i * n + j] * copying[j];
            Assert.That(ax, Is.EqualTo(b[i]).Within(1e-9));
        }
    }

    [Test]
    public void A_matrix_that_is_not_positive_definite_is_refused_with_its_pivot()
    {
        const int n = 200;
        var a = SymmetricPositiveDefinite(n, seed: 2);
        a[150 * n + 150] = -1;      // a negative diagonal entry: no Cholesky factor exists
        var e = Assert.Throws<InvalidOperationException>(() => new Cholesky(a, n))!;
        Assert.That(e.Message, Does.Contain("not positive definite"));
    }

    /// <summary>M·Mᵀ + 0.1·I for M with entries in [−0.5, 0.5).</summary>
    private static double[] SymmetricPositiveDefinite(int n, int seed)
    {
        var rng = new Random(seed);
        var m = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = i == j ? 0.1 : 0;
                for (int k = 0; k < n; k++) sum += m[i * n + k] * m[j * n + k];
                a[i * n + j] = a[j * n + i] = sum;
            }
        return a;
    }
}
