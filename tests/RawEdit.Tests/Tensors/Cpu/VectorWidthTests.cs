// Both vector widths in every test run. On an AVX-512 machine the in-process run uses 512-bit vectors
// (our GEMM's 12×32 kernel, and TensorPrimitives inside softmax, layer norm, GELU, attention…); this test
// runs the kernel suites again in a child process with AVX-512 switched off (DOTNET_EnableAVX512=0, the
// .NET 10 name of the switch), where the same kernels take their 256-bit paths. On a machine without
// AVX-512 every run is already the 256-bit one, and the test says so.

using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Tensors.Cpu;

[TestFixture, NonParallelizable]
internal partial class VectorWidthTests
{
    private const string ChildMarker = "RAWEDIT_VECTOR_WIDTH_CHILD";

    /// <summary>fp32 kernels against float64 (every op case), the GEMM suite, and the probe below.</summary>
    private const string KernelSuites =
        "FullyQualifiedName~Fp32ConsistencyTests|FullyQualifiedName~RawEdit.Tests.Tensors.Cpu.CpuGemmTests|FullyQualifiedName~VectorWidthTests.Probe";

    [Test]
    public void Probe_reports_the_vector_width_in_use()
    {
        bool child = Environment.GetEnvironmentVariable(ChildMarker) == "1";
        Report($"{(child ? "child run" : "main run")}: Vector512 accelerated {Vector512.IsHardwareAccelerated}, " +
            $"GEMM paths tested {string.Join(" + ", Enum.GetValues<GemmKernelPath>().Where(p => p != GemmKernelPath.Reference && CpuGemm.IsSupported(p)))}, default {CpuGemm.KernelPath}");
        if (child)
        {
            Assert.That(Vector512.IsHardwareAccelerated, Is.False, "the child must run without 512-bit vectors");
            Assert.That(CpuGemm.KernelPath, Is.EqualTo(GemmKernelPath.Avx2));
        }
        else Assert.That(CpuGemm.KernelPath, Is.EqualTo(CpuGemm.BestKernelPath));
    }

    [Test]
    public void The_kernel_suites_pass_with_256_bit_vectors_too()
    {
        if (Environment.GetEnvironmentVariable(ChildMarker) == "1") Assert.Ignore("this is the child run");
        if (!Vector512.IsHardwareAccelerated)
        {
            Report("no 512-bit vectors on this CPU: the whole run used the 256-bit paths");
            Assert.Ignore("no 512-bit vectors here: this whole run already used the 256-bit paths");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in new[] { "test", typeof(VectorWidthTests).Assembly.Location, "--filter", KernelSuites })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_EnableAVX512"] = "0";
        start.Environment["RAWEDIT_GEMM_PATH"] = "";
        start.Environment[ChildMarker] = "1";
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        Assert.That(child.WaitForExit(TimeSpan.FromMinutes(10)), "the child run finished");

        var summary = Summary().Match(output);
        Assert.That(child.ExitCode, Is.Zero, output + stderr.Result);
        Assert.That(summary.Success, output);
        int passed = int.Parse(summary.Groups["passed"].Value);
        Report($"256-bit child run (DOTNET_EnableAVX512=0) of the kernel suites: {passed} passed, {summary.Groups["failed"].Value} failed");
        Assert.That(passed, Is.GreaterThan(300), "the kernel suites ran (the AVX-512 GEMM fixtures skip there)");
    }

    /// <summary>To the test log, and to the file named by RAWEDIT_VECTOR_REPORT (.ci/run prints it).</summary>
    private static void Report(string line)
    {
        TestContext.Progress.WriteLine(line);
        string? file = Environment.GetEnvironmentVariable("RAWEDIT_VECTOR_REPORT");
        if (!string.IsNullOrEmpty(file) && Environment.GetEnvironmentVariable(ChildMarker) != "1")
            File.AppendAllText(file, line + Environment.NewLine);
    }

    [GeneratedRegex(@"Failed: +(?<failed>\d+), Passed: +(?<passed>\d+)")]
    private static partial Regex Summary();
}
