using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>CrossEntropy (with ignored targets) and KlDivergence against central differences.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class LossGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases()
    {
        // logits [4,6], every target counted.
        yield return new OpCase("CrossEntropy [4,6]",
            () => [Normal("logits", 501, [4, 6], std: 2.0)],
            t => Ops.CrossEntropy(t[0], [5, 0, 3, 3]));
        // logits [2,3,5] → 6 rows, 2 ignored (−1): the mean is over the 4 counted rows.
        yield return new OpCase("CrossEntropy rank3 with ignored targets",
            () => [Normal("logits", 502, [2, 3, 5], std: 2.0)],
            t => Ops.CrossEntropy(t[0], [1, -1, 4, 0, 2, -1]));
        // KL(p‖q) from normalised log-probabilities [3,5]; gradients reach both raw logit tensors.
        yield return new OpCase("KlDivergence of log-softmaxed logits",
            () => [Normal("p logits", 503, [3, 5]), Normal("q logits", 504, [3, 5])],
            t => Ops.KlDivergence(Ops.LogSoftmax(t[0]), Ops.LogSoftmax(t[1])));
        // The formula itself on arbitrary arrays (no normalisation): Σ exp(logP)·(logP − logQ).
        yield return new OpCase("KlDivergence raw arrays",
            () => [Normal("logP", 505, [2, 4], std: 0.5), Normal("logQ", 506, [2, 4])],
            t => Ops.KlDivergence(t[0], t[1]));
        yield return new OpCase("KlDivergence target frozen",
            () => [Normal("p logits", 507, [3, 5]).Frozen(), Normal("q logits", 508, [3, 5])],
            t => Ops.KlDivergence(Ops.LogSoftmax(t[0]), Ops.LogSoftmax(t[1])));
    }

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    [Test]
    public void CrossEntropyIgnoresMaskedRowsAndAveragesTheRest()
    {
        // Reference computed directly in doubles: −mean over counted rows of (z_t − log Σ exp z).
        var logits = Tensor.RandomNormal(511, 2.0, DType.F64, 3, 4);
        int[] targets = [2, -1, 0];
        var z = logits.ToDoubleArray();
        double total = 0;
        int counted = 0;
        for (int r = 0; r < 3; r++)
        {
            if (targets[r] < 0) continue;
            var row = z.Skip(r * 4).Take(4).ToArray();
            double max = row.Max();
            double logSumExp = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            total += logSumExp - row[targets[r]];
            counted++;
        }
        Assert.That(Ops.CrossEntropy(logits, targets).Item(), Is.EqualTo(total / counted).Within(1e-12));
    }

    [Test]
    public void KlDivergenceOfIdenticalDistributionsIsZero()
    {
        var logP = Ops.LogSoftmax(Tensor.RandomNormal(512, 1.0, DType.F64, 2, 5));
        Assert.That(Ops.KlDivergence(logP, logP).Item(), Is.EqualTo(0.0).Within(1e-15));
    }
}
