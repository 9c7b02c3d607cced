using System.Text;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// Float64 finite-difference check of reverse-mode gradients.
/// The output y = f(x) is reduced to L = Σ w ⊙ y with fixed-seed N(0,1) weights w, so every output element
/// contributes with its own weight (a plain sum would hide errors that cancel, e.g. a permuted gradient).
/// The analytic side seeds <see cref="Tape.Backward"/> with w, which yields ∂L/∂x without routing the
/// reduction itself through Mul/Sum; the numeric side works in host doubles:
///   ∂L/∂x_j ≈ Σ_k w_k·(f_k(x + h·e_j) − f_k(x − h·e_j)) / 2h
/// for every element j of every input that requires a gradient (or a spread sample of them for large inputs).
/// Differencing per output element before weighting keeps unchanged outputs at exactly 0, so the rounding of a
/// long weighted sum does not enter the difference.
/// </summary>
internal static class GradientCheck
{
    private const int WeightSeed = 20_240_601;

    /// <summary>Central-difference step: balances truncation (∝ h²) against rounding (∝ ε/h).</summary>
    public const double Step = 1e-6;

    // Tolerance |analytic − numeric| ≤ Absolute + Relative·|numeric|. With h = 1e-6 the truncation error is
    // h²/6·|f'''| ≈ 2e-13·|f'''| and the rounding error about ε·Σ|w_k·f_k|/h ≈ 2e-10·Σ|w_k·f_k| over the
    // outputs that move; with the O(1) inputs used here both stay below ~1e-8, so 1e-6 absolute leaves a wide
    // margin and 1e-5 relative covers large gradients. A real gradient bug (missing term, wrong index, lost
    // accumulation) is O(|n|).
    public const double Absolute = 1e-6;
    public const double Relative = 1e-5;

    private const int MaxReported = 8;

    public static void Verify(OpCase c, int? samplesPerInput = null)
    {
        var report = Measure(c.Name, c.Forward, c.CreateInputs(), samplesPerInput);
        Assert.That(report.Failed, Is.Zero, report.Message);
    }

    public static void Verify(string op, Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var report = Measure(op, f, inputs, samplesPerInput: null);
        Assert.That(report.Failed, Is.Zero, report.Message);
    }

    public static CheckReport Measure(string op, Func<Tensor[], Tensor> f, params Tensor[] inputs) => Measure(op, f, inputs, samplesPerInput: null);

    /// <summary>
    /// Compares analytic gradient entries with central differences: all of them, or <paramref name="samplesPerInput"/>
    /// per input spread over the whole tensor (first and last included). Asserts only on misuse.
    /// </summary>
    public static CheckReport Measure(string op, Func<Tensor[], Tensor> f, Tensor[] inputs, int? samplesPerInput)
    {
        for (int i = 0; i < inputs.Length; i++)
            Assert.That(inputs[i].DType, Is.EqualTo(DType.F64), $"{op}: gradient checks run in float64 ({Describe(inputs[i], i)} is {inputs[i].DType})");
        var checkedInputs = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].RequiresGrad).ToArray();
        Assert.That(checkedInputs, Is.Not.Empty, $"{op}: no input requires a gradient");

        var (weights, analytic) = AnalyticGradients(op, f, inputs);

        var failures = new StringBuilder();
        int failed = 0, compared = 0;
        foreach (int i in checkedInputs)
        {
            var values = inputs[i].ToDoubleArray();
            foreach (int j in Elements(values.Length, samplesPerInput, seed: i))
            {
                double numeric = NumericDerivative(f, inputs, i, values, j, weights);
                double a = analytic[i][j];
                compared++;
                if (Math.Abs(a - numeric) <= Absolute + Relative * Math.Abs(numeric)) continue;
                if (failed++ < MaxReported)
                    failures.AppendLine($"  d/d{Describe(inputs[i], i)}{FormatIndex(j, inputs[i].Shape)}: analytic {a:R}, numeric {numeric:R}, diff {Math.Abs(a - numeric):E2}");
            }
        }
        return new CheckReport(failed, compared,
            $"{op}: {failed} of {compared} gradient entries differ from central differences (tol {Absolute:E0} + {Relative:E0}·|n|)\n{failures}");
    }

    /// <summary>Runs f on a tape, back-propagates the weighting, returns w and ∂L/∂x per input (zeros where no Grad was written).</summary>
    private static (double[] Weights, double[][] Gradients) AnalyticGradients(string op, Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        var gradients = new double[inputs.Length][];
        double[] weights;
        using (var tape = new Tape())
        {
            var y = f(inputs);
            Assert.That(y.DType, Is.EqualTo(DType.F64), $"{op}: output dtype");
            Assert.That(y.RequiresGrad, Is.True, $"{op}: output does not require a gradient although inputs do");
            var w = Weights(y.Shape);
            weights = w.ToDoubleArray();
            tape.Backward(y, w);
            Assert.That(tape.NodeCount, Is.Zero, $"{op}: tape keeps nodes after Backward");
        }
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            if (!t.RequiresGrad)
            {
                Assert.That(t.Grad, Is.Null, $"{op}: {Describe(t, i)} does not require a gradient but received one");
                continue;
            }
            if (t.Grad is null) { gradients[i] = new double[t.Length]; continue; }
            Assert.That(t.Grad.Shape, Is.EqualTo(t.Shape), $"{op}: gradient shape of {Describe(t, i)}");
            Assert.That(t.Grad.DType, Is.EqualTo(DType.F64), $"{op}: gradient dtype of {Describe(t, i)}");
            gradients[i] = t.Grad.ToDoubleArray();
        }
        return (weights, gradients);
    }

    private static double NumericDerivative(Func<Tensor[], Tensor> f, Tensor[] inputs, int input, double[] values, int element, double[] weights)
    {
        double original = values[element];
        values[element] = original + Step;
        var plus = Evaluate(f, inputs, input, values);
        values[element] = original - Step;
        var minus = Evaluate(f, inputs, input, values);
        values[element] = original;
        double sum = 0;
        for (int k = 0; k < plus.Length; k++) sum += weights[k] * (plus[k] - minus[k]);
        return sum / (2 * Step);
    }

    /// <summary>f(x) with input <paramref name="input"/> replaced by <paramref name="values"/>, nothing recorded.</summary>
    private static double[] Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, int input, double[] values)
    {
        var args = (Tensor[])inputs.Clone();
        args[input] = Tensor.FromArray(values, inputs[input].Shape);
        using (Tape.NoGrad()) return f(args).ToDoubleArray();
    }

    /// <summary>Every element index, or a sample: first, last, and one random index in each of (samples − 2) equal strata.</summary>
    private static IEnumerable<int> Elements(int length, int? samples, int seed)
    {
        if (samples is null || samples >= length) return Enumerable.Range(0, length);
        var rng = new Random(seed);
        int strata = Math.Max(1, samples.Value - 2);
        var picked = new SortedSet<int> { 0, length - 1 };
        for (int s = 0; s < strata; s++)
            picked.Add((int)((long)length * s / strata + rng.NextInt64((long)length / strata)));
        return picked;
    }

    /// <summary>The fixed random weighting for an output of this shape.</summary>
    public static Tensor Weights(int[] shape) => Tensor.RandomNormal(WeightSeed, 1.0, DType.F64, shape);

    public static string Describe(Tensor t, int position) => t.Name ?? $"input{position}";

    /// <summary>Flat row-major index as [i,j,...].</summary>
    public static string FormatIndex(long flat, int[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return "[" + string.Join(",", index) + "]";
    }
}

/// <summary>Outcome of a check: how many entries failed out of how many compared, and a description of the first failures.</summary>
internal sealed record CheckReport(int Failed, int Compared, string Message);
