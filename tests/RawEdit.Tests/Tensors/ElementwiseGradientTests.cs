using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>Unary functions, broadcasting binary ops, Scale and AddScalar against central differences.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class ElementwiseGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases() => UnaryCases().Concat(BinaryCases()).Concat(ScalarCases());

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    // x [3,5]; inputs stay inside each function's domain and away from kinks (Abs, Relu at 0).
    private static IEnumerable<OpCase> UnaryCases()
    {
        int[] shape = [3, 5];
        yield return Unary("Neg", Ops.Neg, () => Normal("x", 11, shape));
        yield return Unary("Exp", Ops.Exp, () => Normal("x", 12, shape));
        yield return Unary("Log", Ops.Log, () => Uniform("x", 13, 0.3, 3.0, shape));
        yield return Unary("Sqrt", Ops.Sqrt, () => Uniform("x", 14, 0.3, 3.0, shape));
        yield return Unary("Tanh", Ops.Tanh, () => Normal("x", 15, shape, std: 1.5));
        yield return Unary("Square", Ops.Square, () => Normal("x", 16, shape));
        yield return Unary("Abs", Ops.Abs, () => AwayFromZero("x", 17, 0.1, 2.0, shape));
        yield return Unary("Relu", Ops.Relu, () => AwayFromZero("x", 18, 0.1, 2.0, shape));
        yield return Unary("Reciprocal", Ops.Reciprocal, () => AwayFromZero("x", 19, 0.4, 2.0, shape));
        yield return Unary("GeluNew", Ops.GeluNew, () => Normal("x", 20, shape, std: 2.0));
    }

    private static OpCase Unary(string name, Func<Tensor, Tensor> op, Func<Tensor> x) =>
        new(name, () => [x()], t => op(t[0]));

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op)[] BinaryOps =
    [
        ("Add", Ops.Add), ("Sub", Ops.Sub), ("Mul", Ops.Mul), ("Div", Ops.Div),
    ];

    // a ⊕ b for each broadcasting pattern; b stays away from 0 so Div is smooth.
    private static readonly (string Name, int[] A, int[] B)[] BroadcastPatterns =
    [
        ("same [3,4]·[3,4]", [3, 4], [3, 4]),
        ("row bias [3,4]·[4]", [3, 4], [4]),
        ("column [3,4]·[3,1]", [3, 4], [3, 1]),
        ("scalar [3,4]·[]", [3, 4], []),
        ("scalar-left []·[3,4]", [], [3, 4]),
        ("row-left [4]·[3,4]", [4], [3, 4]),
        ("outer [3,1]·[4]", [3, 1], [4]),
        ("rank3 middle-1 [2,1,4]·[2,3,4]", [2, 1, 4], [2, 3, 4]),
        ("rank3 middle-1 [2,3,4]·[2,1,4]", [2, 3, 4], [2, 1, 4]),
        ("rank3 vs rank2 [2,3,4]·[3,1]", [2, 3, 4], [3, 1]),
    ];

    private static IEnumerable<OpCase> BinaryCases()
    {
        foreach (var (opName, op) in BinaryOps)
            foreach (var (pattern, a, b) in BroadcastPatterns)
                yield return new OpCase($"{opName} {pattern}",
                    () => [Normal("a", 31 + a.Length, a), AwayFromZero("b", 41 + b.Length, 0.5, 2.0, b)],
                    t => op(t[0], t[1]));

        // One side frozen: its Grad must stay null while the other is still correct.
        yield return new OpCase("Mul row bias, a frozen",
            () => [Normal("a", 51, [3, 4]).Frozen(), Normal("b", 52, [4])],
            t => Ops.Mul(t[0], t[1]));
        yield return new OpCase("Div column, b frozen",
            () => [Normal("a", 53, [3, 4]), AwayFromZero("b", 54, 0.5, 2.0, 3, 1).Frozen()],
            t => Ops.Div(t[0], t[1]));
    }

    private static IEnumerable<OpCase> ScalarCases()
    {
        yield return Unary("Scale by -1.75", x => Ops.Scale(x, -1.75), () => Normal("x", 61, [2, 3, 4]));
        yield return Unary("AddScalar 0.3", x => Ops.AddScalar(x, 0.3), () => Normal("x", 62, [2, 3, 4]));
    }
}
