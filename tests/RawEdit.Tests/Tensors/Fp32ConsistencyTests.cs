namespace RawEdit.Tests.Tensors;

/// <summary>
/// fp32 forward and backward against float64 for every op case of the gradient suites, plus wide cases whose
/// sizes are not multiples of any SIMD width and are large enough to take the parallel (multi-range) paths.
/// </summary>
internal class Fp32ConsistencyTests
{
    private static IEnumerable<TestCaseData> EveryOpCase() =>
        ElementwiseGradientTests.Cases()
            .Concat(MatMulGradientTests.Cases())
            .Concat(NormalizationGradientTests.Cases())
            .Concat(AttentionGradientTests.Cases())
            .Concat(RotaryGradientTests.Cases())
            .Concat(IndexingGradientTests.Cases())
            .Concat(LossGradientTests.Cases())
            .Concat(ReductionGradientTests.Cases())
            .Concat(ShapeGradientTests.Cases())
            .Append(TinyTransformer.Case())
            .Select(c => c.ToTestCase());

    [TestCaseSource(nameof(EveryOpCase))]
    public void Fp32MatchesFloat64(OpCase c) => PrecisionCheck.Verify(c);

    private static IEnumerable<TestCaseData> Wide() => WideCases.All().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Wide))]
    public void WideFp32MatchesFloat64(OpCase c) => PrecisionCheck.Verify(c);
}
