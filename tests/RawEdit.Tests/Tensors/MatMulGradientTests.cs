using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>MatMul (plain, flattened, batched; every transpose combination) and Linear against central differences.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class MatMulGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases() => PlainCases().Concat(FlattenedCases()).Concat(BatchedCases()).Concat(LinearCases());

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    private static readonly (bool TransA, bool TransB)[] Transposes = [(false, false), (true, false), (false, true), (true, true)];

    private static string Label(bool transA, bool transB) => $"{(transA ? "Aᵀ" : "A")}·{(transB ? "Bᵀ" : "B")}";

    // op(A) [3,4] · op(B) [4,5] → [3,5]; A is stored [4,3] when transposed, B [5,4].
    private static IEnumerable<OpCase> PlainCases()
    {
        foreach (var (ta, tb) in Transposes)
            yield return new OpCase($"MatMul {Label(ta, tb)} [3,4]·[4,5]",
                () => [Normal("a", 101, ta ? [4, 3] : [3, 4]), Normal("b", 102, tb ? [5, 4] : [4, 5])],
                t => Ops.MatMul(t[0], t[1], ta, tb));

        yield return new OpCase("MatMul weight frozen",
            () => [Normal("a", 103, [3, 4]), Normal("b", 104, [4, 5]).Frozen()],
            t => Ops.MatMul(t[0], t[1]));
        yield return new OpCase("MatMul input frozen, Bᵀ",
            () => [Normal("a", 105, [3, 4]).Frozen(), Normal("b", 106, [5, 4])],
            t => Ops.MatMul(t[0], t[1], transB: true));
        yield return new OpCase("MatMul same tensor twice X·Xᵀ",
            () => [Normal("x", 107, [3, 4])],
            t => Ops.MatMul(t[0], t[0], transB: true));
    }

    // a [2,3,4] or [2,2,3,4] flattened to rows · b [4,5] (or Bᵀ stored [5,4]).
    private static IEnumerable<OpCase> FlattenedCases()
    {
        foreach (bool tb in new[] { false, true })
        {
            yield return new OpCase($"MatMul flattened [2,3,4]·{(tb ? "[5,4]ᵀ" : "[4,5]")}",
                () => [Normal("a", 111, [2, 3, 4]), Normal("b", 112, tb ? [5, 4] : [4, 5])],
                t => Ops.MatMul(t[0], t[1], transB: tb));
            yield return new OpCase($"MatMul flattened rank4 [2,2,3,4]·{(tb ? "[5,4]ᵀ" : "[4,5]")}",
                () => [Normal("a", 113, [2, 2, 3, 4]), Normal("b", 114, tb ? [5, 4] : [4, 5])],
                t => Ops.MatMul(t[0], t[1], transB: tb));
        }
    }

    // a [2,3,4] · b [2,4,5] → [2,3,5], each batch with its own matrices.
    private static IEnumerable<OpCase> BatchedCases()
    {
        foreach (var (ta, tb) in Transposes)
            yield return new OpCase($"MatMul batched {Label(ta, tb)} [2,3,4]·[2,4,5]",
                () => [Normal("a", 121, ta ? [2, 4, 3] : [2, 3, 4]), Normal("b", 122, tb ? [2, 5, 4] : [2, 4, 5])],
                t => Ops.MatMul(t[0], t[1], ta, tb));
    }

    // x [2,3,4] → [2,3,5]; GPT-2 weight [in,out] = [4,5], torch-style [out,in] = [5,4]; bias [5].
    private static IEnumerable<OpCase> LinearCases()
    {
        foreach (bool outByIn in new[] { false, true })
        {
            string layout = outByIn ? "[out,in]" : "[in,out]";
            int[] w = outByIn ? [5, 4] : [4, 5];
            yield return new OpCase($"Linear {layout} with bias",
                () => [Normal("x", 131, [2, 3, 4]), Normal("weight", 132, w), Normal("bias", 133, [5])],
                t => Ops.Linear(t[0], t[1], t[2], outByIn));
            yield return new OpCase($"Linear {layout} without bias",
                () => [Normal("x", 134, [2, 3, 4]), Normal("weight", 135, w)],
                t => Ops.Linear(t[0], t[1], null, outByIn));
        }
        yield return new OpCase("Linear frozen weight and bias",
            () => [Normal("x", 136, [3, 4]), Normal("weight", 137, [4, 5]).Frozen(), Normal("bias", 138, [5]).Frozen()],
            t => Ops.Linear(t[0], t[1], t[2]));
    }
}
