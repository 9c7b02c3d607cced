using RawEdit.Tensors;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// One differentiable computation over freshly built float64 inputs. The same case feeds the
/// finite-difference check (<see cref="GradientCheck"/>) and the fp32-vs-float64 check
/// (<see cref="PrecisionCheck"/>), so every op is exercised by both with identical inputs.
/// </summary>
internal sealed class OpCase(string name, Func<Tensor[]> createInputs, Func<Tensor[], Tensor> forward)
{
    public string Name { get; } = name;

    /// <summary>New leaf tensors each call (gradients accumulate into leaves, so cases never share them).</summary>
    public Tensor[] CreateInputs() => createInputs();

    public Tensor Forward(Tensor[] inputs) => forward(inputs);

    public TestCaseData ToTestCase() => new TestCaseData(this).SetArgDisplayNames(Name);

    public override string ToString() => Name;
}
