using System.Text;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// Checks the fp32 (SIMD) kernels against the float64 ones: the same case runs forward and backward in both
/// dtypes and the output and every input gradient must agree. Inputs and the backward seed are first rounded
/// to fp32, so both runs see identical values and only the arithmetic precision differs.
/// </summary>
internal static class PrecisionCheck
{
    private const int SeedSeed = 7_310_002;

    // Tolerance per element: |x32 − x64| ≤ Relative·(|x64| + rms(x64)). fp32 has ε ≈ 1.2e-7; the ops here sum at
    // most ~1000 terms with pairwise/vector accumulation, so errors stay within tens of ulps (≲ 5e-6 relative).
    // Scaling by the tensor's rms as well as the element covers entries that are small only through
    // cancellation (softmax and layer-norm backward), whose absolute error follows the magnitude of the terms.
    public const double Relative = 1e-5;

    private const int MaxReported = 8;

    public static void Verify(OpCase c)
    {
        var report = Measure(c);
        Assert.That(report.Failed, Is.Zero, report.Message);
    }

    /// <summary>Runs both dtypes and counts the output and gradient entries outside the tolerance.</summary>
    public static CheckReport Measure(OpCase c)
    {
        var source = c.CreateInputs();
        var in64 = source.Select(t => RoundedCopy(t, DType.F64)).ToArray();
        var in32 = source.Select(t => RoundedCopy(t, DType.F32)).ToArray();

        int[] outputShape;
        using (Tape.NoGrad()) outputShape = c.Forward(in64).Shape;
        var seed32 = Tensor.RandomNormal(SeedSeed, 1.0, DType.F32, outputShape);

        var reference = Run(c, in64, seed32.To(DType.F64), DType.F64);
        var fast = Run(c, in32, seed32, DType.F32);

        var failures = new StringBuilder();
        int compared = reference.Output.Length;
        int failed = Compare(c.Name, "output", outputShape, fast.Output, reference.Output, failures);
        for (int i = 0; i < source.Length; i++)
        {
            if (!source[i].RequiresGrad) continue;
            string what = "d/d" + GradientCheck.Describe(source[i], i);
            Assert.That(fast.Grads[i] is null, Is.EqualTo(reference.Grads[i] is null), $"{c.Name}: {what} exists in only one dtype");
            if (fast.Grads[i] is null) continue;
            failed += Compare(c.Name, what, source[i].Shape, fast.Grads[i]!, reference.Grads[i]!, failures);
            compared += reference.Grads[i]!.Length;
        }
        return new CheckReport(failed, compared,
            $"{c.Name}: {failed} of {compared} fp32 values differ from float64 beyond {Relative:E0}·(|x| + rms)\n{failures}");
    }

    private static (double[] Output, double[]?[] Grads) Run(OpCase c, Tensor[] inputs, Tensor seed, DType dtype)
    {
        using var tape = new Tape();
        var y = c.Forward(inputs);
        Assert.That(y.DType, Is.EqualTo(dtype), $"{c.Name}: output dtype");
        var output = y.ToDoubleArray();
        tape.Backward(y, seed);
        var grads = new double[]?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var g = inputs[i].Grad;
            if (g is null) continue;
            Assert.That(g.DType, Is.EqualTo(dtype), $"{c.Name}: gradient dtype of input {i}");
            grads[i] = g.ToDoubleArray();
        }
        return (output, grads);
    }

    /// <summary>Counts (and describes the first few) elements outside the tolerance.</summary>
    private static int Compare(string op, string what, int[] shape, double[] fast, double[] reference, StringBuilder failures)
    {
        Assert.That(fast, Has.Length.EqualTo(reference.Length), $"{op}: {what} length");
        double sumSquares = 0;
        foreach (double v in reference) sumSquares += v * v;
        double rms = reference.Length == 0 ? 0 : Math.Sqrt(sumSquares / reference.Length);
        int failed = 0;
        for (int k = 0; k < reference.Length; k++)
        {
            double tol = Relative * (Math.Abs(reference[k]) + rms);
            if (Math.Abs(fast[k] - reference[k]) <= tol) continue;
            if (failed++ < MaxReported)
                failures.AppendLine($"  {op} {what}{GradientCheck.FormatIndex(k, shape)}: fp32 {fast[k]:R}, float64 {reference[k]:R}, tol {tol:E2}");
        }
        return failed;
    }

    /// <summary>A leaf with the source's values rounded to fp32, in <paramref name="dtype"/>, same name and gradient flag.</summary>
    private static Tensor RoundedCopy(Tensor source, DType dtype)
    {
        var rounded = source.To(DType.F32);
        var t = dtype == DType.F32 ? rounded : rounded.To(DType.F64);
        t.Name = source.Name;
        t.RequiresGrad = source.RequiresGrad;
        return t;
    }
}
