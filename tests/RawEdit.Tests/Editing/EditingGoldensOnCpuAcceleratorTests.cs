namespace RawEdit.Tests.Editing;

/// <summary>
/// The ROME, MEMIT, EMMET and AlphaEdit goldens on ILGPU's CPU accelerator (<c>ilgpu-cpu</c>): one case of each mode, second-moment kind,
/// request form and model, through the same test code as the full sets, which run on cpu and cuda. The CPU
/// accelerator takes 10–100 s for each of the other cases (mostly the value optimisation's products; measured: the
/// 8-request MEMIT batches 100 s each, the default model's full-vocabulary ROME cases 32–44 s), which would double
/// CI's time for kernels these cases already run. MEND's golden runs on ilgpu-cpu in full (4 s).
/// </summary>
internal class EditingGoldensOnCpuAcceleratorTests
{
    private static void OnCpuAccelerator<TFixture>(TFixture fixture, Action<TFixture> test) where TFixture : DeviceFixture
    {
        fixture.UseDevice();
        Assert.That(RawEdit.Tensors.Backend.Backends.Default.Name, Is.EqualTo("ilgpu-cpu"), "the case runs on the CPU accelerator");
        try { test(fixture); }
        finally { fixture.UseCpuAgain(); }
    }

    [TestCase("rome-cov-single")]
    [TestCase("r-rome-cov-single")]
    [TestCase("p-rome-cov-single")]
    [TestCase("rome-cov-direct")]
    public void Rome_on_the_random_model(string caseName) =>
        OnCpuAccelerator(new RomeGoldenTests("ilgpu-cpu"), t => t.Random_model_update_matches_the_reference(caseName));

    [TestCase("rome-hf-tiny-gpt2", "rome-eiffel")]
    [TestCase("rome-hf-tiny-gpt2", "rome-darrieux")]
    [TestCase("rome-default", "rome-eiffel-located")]
    [TestCase("rome-default", "r-rome-eiffel-located")]
    [TestCase("rome-default", "p-rome-eiffel-located")]
    public void Rome_on_text_requests(string set, string caseName) =>
        OnCpuAccelerator(new RomeGoldenTests("ilgpu-cpu"), t => t.Text_requests_tokenise_index_and_edit_as_the_reference(set, caseName));

    [TestCase("memit-1-cov")]
    [TestCase("memit-1-identity")]
    public void Memit_on_the_random_model(string caseName) =>
        OnCpuAccelerator(new MemitGoldenTests("ilgpu-cpu"), t => t.Every_layer_update_matches_the_reference(caseName));

    [TestCase("emmet-1-cov")]
    public void Emmet_on_the_random_model(string caseName) =>
        OnCpuAccelerator(new EmmetGoldenTests("ilgpu-cpu"), t => t.Every_layer_update_matches_the_reference(caseName));

    [TestCase("alphaedit-1-cov")]
    public void AlphaEdit_on_the_random_model(string caseName) =>
        OnCpuAccelerator(new AlphaEditGoldenTests("ilgpu-cpu"), t => t.Every_layer_update_matches_the_reference(caseName));
}
