using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>LayerNorm (x, gamma, beta), Softmax and LogSoftmax against central differences.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class NormalizationGradientTests(string device) : DeviceFixture(device)
{
    private const double Eps = 1e-5;

    internal static IEnumerable<OpCase> Cases() => LayerNormCases().Concat(SoftmaxCases());

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    // x [2,3,6] normalised over the last axis; gamma, beta [6].
    private static IEnumerable<OpCase> LayerNormCases()
    {
        yield return new OpCase("LayerNorm x, gamma, beta",
            () => [Normal("x", 201, [2, 3, 6], std: 2.0), NearOne("gamma", 202, 6, std: 0.3), Normal("beta", 203, [6])],
            t => Ops.LayerNorm(t[0], t[1], t[2], Eps));
        yield return new OpCase("LayerNorm x only (gamma, beta frozen)",
            () => [Normal("x", 204, [4, 5]), NearOne("gamma", 205, 5, std: 0.3).Frozen(), Normal("beta", 206, [5]).Frozen()],
            t => Ops.LayerNorm(t[0], t[1], t[2], Eps));
        yield return new OpCase("LayerNorm gamma, beta only (x frozen)",
            () => [Normal("x", 207, [4, 5]).Frozen(), NearOne("gamma", 208, 5, std: 0.3), Normal("beta", 209, [5])],
            t => Ops.LayerNorm(t[0], t[1], t[2], Eps));
        // A row with small spread: rstd is large, which amplifies any error in the mean/variance terms.
        yield return new OpCase("LayerNorm small-variance rows",
            () => [Normal("x", 210, [3, 4], std: 0.05), NearOne("gamma", 211, 4), Normal("beta", 212, [4])],
            t => Ops.LayerNorm(t[0], t[1], t[2], Eps));
    }

    private static IEnumerable<OpCase> SoftmaxCases()
    {
        foreach (bool log in new[] { false, true })
        {
            string name = log ? "LogSoftmax" : "Softmax";
            Func<Tensor, Tensor> op = log ? Ops.LogSoftmax : Ops.Softmax;
            yield return new OpCase($"{name} [3,5]", () => [Normal("x", 221, [3, 5])], t => op(t[0]));
            yield return new OpCase($"{name} rank3 [2,3,4]", () => [Normal("x", 222, [2, 3, 4])], t => op(t[0]));
            // Peaked rows (std 4) put most mass on one entry, as trained logits do.
            yield return new OpCase($"{name} peaked [2,6]", () => [Normal("x", 223, [2, 6], std: 4.0)], t => op(t[0]));
        }
    }
}
