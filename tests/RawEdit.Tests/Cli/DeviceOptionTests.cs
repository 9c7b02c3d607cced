using RawEdit.Tensors.Gpu;

namespace RawEdit.Tests.Cli;

/// <summary>--device on the CLI: cpu as before, ilgpu-cpu giving the same text, auto falling back to the CPU, cuda failing in words where no GPU is usable.</summary>
internal class DeviceOptionTests
{
    private static readonly string Fixture = TestPaths.Fixture("fixtures/hf-tiny-gpt2");
    private static readonly string[] Generate = ["generate", "--model", Fixture, "--prompt", "Hello", "--max-tokens", "4", "--seed", "2"];

    [Test]
    public void Cpu_and_auto_generate_the_same_text_here()
    {
        var cpu = CliTests.Run("", [.. Generate, "--device", "cpu"]);
        var auto = CliTests.Run("", ["--device", "auto", .. Generate]);
        Assert.That(cpu.Code, Is.Zero, cpu.Err);
        Assert.That(auto.Code, Is.Zero, auto.Err);
        if (DeviceSelection.TryCuda(out _) is null) Assert.That(auto.Out, Is.EqualTo(cpu.Out), "auto is the CPU without a GPU");
    }

    [Test]
    public void The_gpu_kernels_on_the_cpu_accelerator_generate_the_same_text_as_the_cpu()
    {
        var cpu = CliTests.Run("", [.. Generate, "--device", "cpu"]);
        var simulated = CliTests.Run("", [.. Generate, "--device", "ilgpu-cpu"]);
        Assert.That(simulated.Code, Is.Zero, simulated.Err);
        Assert.That(simulated.Out, Is.EqualTo(cpu.Out).And.Not.Empty);
    }

    [Test]
    public void Cuda_without_a_usable_device_is_an_error_that_says_why()
    {
        if (DeviceSelection.TryCuda(out _) is not null) Assert.Ignore("a CUDA device is present here");
        var (code, output, error) = CliTests.RunWith(new Dictionary<string, string> { [DeviceSelection.Variable] = "cuda" }, "", Generate);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Is.Empty);
        Assert.That(error.Trim(), Does.StartWith("rawedit: error: --device cuda: ").And.Contain("CUDA"));
    }

    [Test]
    public void An_unknown_device_is_refused()
    {
        var (code, _, error) = CliTests.Run("", [.. Generate, "--device", "gpu"]);
        Assert.That(code, Is.Not.Zero);
        Assert.That(error, Does.Contain("gpu"));
    }
}
