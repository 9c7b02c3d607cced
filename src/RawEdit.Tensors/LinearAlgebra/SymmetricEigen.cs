using System.Numerics.Tensors;

namespace RawEdit.Tensors.LinearAlgebra;

/// <summary>
/// Eigendecomposition A = Vᵀ diag(λ) V of a symmetric matrix (row-major n×n, float64): Householder reduction to a
/// tridiagonal T, then implicit symmetric QR steps with Wilkinson shifts on T (Golub &amp; Van Loan, Alg. 8.3.2),
/// the rotations accumulated into V. For a symmetric positive semi-definite A (a second moment E[kkᵀ]) this is its
/// SVD: the singular values are |λ| and the singular vectors V's rows. Eigenvalues come out ascending, the
/// eigenvector of λ_i is row i of <see cref="Vectors"/> (contiguous). O(n³): about 10 n³ flops.
/// </summary>
internal sealed class SymmetricEigen
{
    /// <summary>λ [n], ascending.</summary>
    public double[] Values { get; }

    /// <summary>V [n, n]: row i is the unit eigenvector of Values[i].</summary>
    public double[] Vectors { get; }

    public int Size { get; }

    private SymmetricEigen(double[] values, double[] vectors, int n) => (Values, Vectors, Size) = (values, vectors, n);

    public ReadOnlySpan<double> Vector(int i) => Vectors.AsSpan(i * Size, Size);

    /// <summary>Decomposes A (not modified; it must be symmetric, only checked for its shape).</summary>
    public static SymmetricEigen Of(double[] a, int n)
    {
        if (a.Length != (long)n * n) throw new ArgumentException($"matrix of {a.Length} elements is not {n}×{n}");
        var work = (double[])a.Clone();
        var rotations = Identity(n);                    // Qᵀ, rows updated in place
        var (diagonal, offDiagonal) = Tridiagonalize(work, n, rotations);
        DiagonalizeTridiagonal(diagonal, offDiagonal, n, rotations);

        var order = Enumerable.Range(0, n).OrderBy(i => diagonal[i]).ToArray();
        var values = order.Select(i => diagonal[i]).ToArray();
        var vectors = new double[(long)n * n];
        for (int r = 0; r < n; r++) Array.Copy(rotations, (long)order[r] * n, vectors, (long)r * n, n);
        return new SymmetricEigen(values, vectors, n);
    }

    private static double[] Identity(int n)
    {
        var m = new double[(long)n * n];
        for (int i = 0; i < n; i++) m[(long)i * n + i] = 1;
        return m;
    }

    /// <summary>
    /// H_k = I − β v vᵀ (v on indices k+1..n−1) zeroes column k below the sub-diagonal: A ← H_k A H_k, Qᵀ ← H_k Qᵀ.
    /// Returns T's diagonal [n] and off-diagonal [n−1].
    /// </summary>
    private static (double[] Diagonal, double[] OffDiagonal) Tridiagonalize(double[] a, int n, double[] qt)
    {
        var v = new double[n];
        var p = new double[n];
        var options = new ParallelOptions { MaxDegreeOfParallelism = n >= 256 ? Environment.ProcessorCount : 1 };
        for (int k = 0; k < n - 2; k++)
        {
            int m = n - k - 1;                                  // length of the trailing block
            var x = v.AsSpan(0, m);
            for (int i = 0; i < m; i++) x[i] = a[(k + 1 + i) * n + k];
            double norm = Math.Sqrt(TensorPrimitives.Dot<double>(x, x));
            if (norm == 0) continue;
            double alpha = x[0] > 0 ? -norm : norm;             // H x = α e₁, sign chosen against cancellation
            x[0] -= alpha;
            double beta = 2 / TensorPrimitives.Dot<double>(x, x);

            // p = β A₂₂ v, w = p − (β/2)(pᵀv) v, A₂₂ ← A₂₂ − v wᵀ − w vᵀ
            var vv = v;
            Parallel.For(0, m, options, i => p[i] = beta * TensorPrimitives.Dot<double>(a.AsSpan((k + 1 + i) * n + k + 1, m), vv.AsSpan(0, m)));
            double half = beta / 2 * TensorPrimitives.Dot<double>(p.AsSpan(0, m), x);
            for (int i = 0; i < m; i++) p[i] -= half * v[i];
            var w = p;
            Parallel.For(0, m, options, i =>
            {
                var row = a.AsSpan((k + 1 + i) * n + k + 1, m);
                TensorPrimitives.MultiplyAdd(w.AsSpan(0, m), -vv[i], row, row);
                TensorPrimitives.MultiplyAdd(vv.AsSpan(0, m), -w[i], row, row);
            });
            for (int i = 1; i < m; i++) a[(k + 1 + i) * n + k] = a[k * n + k + 1 + i] = 0;
            a[(k + 1) * n + k] = a[k * n + k + 1] = alpha;

            // Qᵀ ← H_k Qᵀ: rows k+1.. lose β v_i (vᵀQᵀ)
            var combination = new double[n];
            for (int i = 0; i < m; i++) TensorPrimitives.MultiplyAdd(qt.AsSpan((k + 1 + i) * n, n), v[i], combination, combination);
            Parallel.For(0, m, options, i =>
            {
                var row = qt.AsSpan((k + 1 + i) * n, n);
                TensorPrimitives.MultiplyAdd(combination, -beta * vv[i], row, row);
            });
        }
        var diagonal = new double[n];
        var off = new double[Math.Max(n - 1, 0)];
        for (int i = 0; i < n; i++) diagonal[i] = a[i * n + i];
        for (int i = 0; i < n - 1; i++) off[i] = a[i * n + i + 1];
        return (diagonal, off);
    }

    /// <summary>
    /// Implicit QR on the tridiagonal (d, e): deflate negligible off-diagonals from the bottom, run one Wilkinson-shifted
    /// bulge-chasing sweep on the lowest unreduced block, repeat. Each rotation J on (k, k+1) does T ← J T Jᵀ, Qᵀ ← J Qᵀ.
    /// </summary>
    private static void DiagonalizeTridiagonal(double[] d, double[] e, int n, double[] qt)
    {
        int sweeps = 0, limit = 30 * Math.Max(n, 1);
        int q = n - 1;
        while (q > 0)
        {
            if (Math.Abs(e[q - 1]) <= double.Epsilon + 2.2e-16 * (Math.Abs(d[q - 1]) + Math.Abs(d[q])))
            {
                e[q - 1] = 0;
                q--;
                continue;
            }
            int p = q - 1;
            while (p > 0 && Math.Abs(e[p - 1]) > double.Epsilon + 2.2e-16 * (Math.Abs(d[p - 1]) + Math.Abs(d[p]))) p--;
            if (++sweeps > limit) throw new InvalidOperationException($"symmetric eigendecomposition did not converge in {limit} sweeps");
            QrSweep(d, e, p, q, n, qt);
        }
    }

    private static void QrSweep(double[] d, double[] e, int p, int q, int n, double[] qt)
    {
        // Wilkinson shift: the eigenvalue of T's trailing 2×2 block nearer d[q].
        double delta = (d[q - 1] - d[q]) / 2;
        double tail = e[q - 1];
        double shift = d[q] - tail * tail / (delta + (delta >= 0 ? 1 : -1) * Hypot(delta, tail));
        double x = d[p] - shift, z = e[p];
        for (int k = p; k < q; k++)
        {
            double r = Hypot(x, z);
            double c = r == 0 ? 1 : x / r, s = r == 0 ? 0 : z / r;
            if (k > p) e[k - 1] = r;                                  // the bulge T[k−1, k+1] is chased away
            double a = d[k], b = e[k], cc = d[k + 1];
            d[k] = c * c * a + 2 * c * s * b + s * s * cc;
            d[k + 1] = s * s * a - 2 * c * s * b + c * c * cc;
            e[k] = c * s * (cc - a) + (c * c - s * s) * b;
            if (k + 1 < q)
            {
                x = e[k];
                z = s * e[k + 1];                                    // new bulge at T[k, k+2]
                e[k + 1] *= c;
            }
            Rotate(qt.AsSpan(k * n, n), qt.AsSpan((k + 1) * n, n), c, s);
        }
    }

    /// <summary>(row_k, row_k+1) ← (c·row_k + s·row_k+1, −s·row_k + c·row_k+1).</summary>
    private static void Rotate(Span<double> upper, Span<double> lower, double c, double s)
    {
        for (int i = 0; i < upper.Length; i++)
        {
            double u = upper[i], l = lower[i];
            upper[i] = c * u + s * l;
            lower[i] = c * l - s * u;
        }
    }

    private static double Hypot(double x, double y)
    {
        double ax = Math.Abs(x), ay = Math.Abs(y);
        double big = Math.Max(ax, ay), small = Math.Min(ax, ay);
        if (big == 0) return 0;
        double ratio = small / big;
        return big * Math.Sqrt(1 + ratio * ratio);
    }
}
