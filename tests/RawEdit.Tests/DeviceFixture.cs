using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu;

namespace RawEdit.Tests;

/// <summary>
/// Base of test fixtures that run once per backend (<c>[TestFixture("cpu")]</c>, <c>[TestFixture("ilgpu-cpu")]</c>,
/// <c>[TestFixture("cuda")]</c>): each test runs with that backend as its thread's default, so tensors it creates and
/// models loaded through <see cref="Models.GoldenCase"/> live there. "ilgpu-cpu" runs the GPU kernels on ILGPU's CPU
/// accelerator, everywhere; the cuda fixture reports "skipped: no CUDA device (why)" without a GPU.
/// </summary>
internal abstract class DeviceFixture(string device)
{
    protected string Device { get; } = device;

    [SetUp]
    public void UseDevice()
    {
        if (Device != "cuda")
        {
            Backends.Default = DeviceSelection.Resolve(Device);
            return;
        }
        var cuda = DeviceSelection.TryCuda(out var reason);
        if (cuda is null) Assert.Ignore($"skipped: no CUDA device ({reason})");
        Backends.Default = cuda!;
    }

    [TearDown]
    public void UseCpuAgain() => Backends.Default = Backends.Cpu;
}

/// <summary>Test models on the thread's default backend (the <see cref="DeviceFixture"/>'s).</summary>
internal static class DeviceModels
{
    public static global::RawEdit.Models.Gpt2.Gpt2Model LoadGpt2(string folder) =>
        (global::RawEdit.Models.Gpt2.Gpt2Model)global::RawEdit.Models.ModelCheckpoint.LoadOnDefaultBackend(folder, global::RawEdit.Models.Checkpoints.WeightPrecision.Float32).Model;   // as Gpt2Checkpoint.Load
}
