using RawEdit.Tensors.Gpu;

namespace RawEdit.Tests.Cli;

/// <summary><c>rawedit kernels --ptx</c> as a user runs it: a PTX file per catalog kernel and a table.</summary>
internal class KernelsCliTests
{
    [Test]
    public void Kernels_writes_one_ptx_file_per_kernel_and_a_table_row_for_each()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"rawedit-ptx-{Guid.NewGuid():N}");
        try
        {
            var (code, output, err) = CliTests.Run("", "kernels", "--ptx", "sm_80", "--out", folder);
            Assert.That(code, Is.Zero, err);
            var files = Directory.GetFiles(folder, "*.ptx").Select(Path.GetFileNameWithoutExtension).ToList();
            Assert.That(files, Is.EquivalentTo(GpuKernelCatalog.All.Select(k => k.Name)));
            Assert.That(File.ReadAllText(Path.Combine(folder, "gemm_bf16.ptx")), Does.Contain(".target sm_80").And.Contain("mma.sync.aligned.m16n8k16"));
            var rows = output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(r => r.Length == 8).ToList();
            foreach (var kernel in GpuKernelCatalog.All)
            {
                var row = rows.SingleOrDefault(r => r[0] == kernel.Name);
                Assert.That(row, Is.Not.Null, $"a table row for {kernel.Name}:\n{output}");
                Assert.That(row![7], Is.EqualTo(kernel.Name is "gemm_tf32" or "gemm_bf16" ? "16" : "0"), $"mma.sync column of {kernel.Name}");
            }
            Assert.That(output, Does.Contain($"{GpuKernelCatalog.All.Count} kernels compiled to PTX for sm_80"));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void An_unknown_target_is_refused()
    {
        var (code, _, err) = CliTests.Run("", "kernels", "--ptx", "sm_70", "--out", Path.GetTempPath());
        Assert.That(code, Is.Not.Zero);
        Assert.That(err, Does.Contain("sm_70"));
    }
}
