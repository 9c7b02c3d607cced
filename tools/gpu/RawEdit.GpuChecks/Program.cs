// rawedit-gpu-checks [PREFIX…]: runs the RawEdit tests whose full names start with any PREFIX, or contain it when it
// starts with "~" (default: the CUDA kernel suites and every per-backend fixture's cuda half) through NUnit's own runner, prints one line per failure and per skip reason, and ends with
// "N passed, N failed, N skipped". Exit code 1 when any test failed.
// rawedit-gpu-checks --gemm [--mode fp32|tf32|bf16] M,N,K [M,N,K…]: times our CUDA GEMM at each shape instead (GemmTiming.cs).
using System.Diagnostics;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Filters;

if (args.Length > 1 && args[0] == "--gemm")
{
    bool moded = args.Length > 3 && args[1] == "--mode";
    try { return RawEdit.GpuChecks.GemmTiming.Run(moded ? args[2] : "fp32", args.Skip(moded ? 3 : 1)); }
    catch (InvalidOperationException e) { Console.Error.WriteLine($"rawedit-gpu-checks: {e.Message}"); return 2; }
}

string[] prefixes = args.Length > 0 ? args : ["RawEdit.Tests.Tensors.Cuda", "~(\"cuda\")"];
var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
runner.Load(typeof(RawEdit.Tests.TestPaths).Assembly, new Dictionary<string, object>());
var clock = Stopwatch.StartNew();
var listener = new ConsoleListener();
runner.Run(listener, new PrefixFilter(prefixes));
Console.WriteLine($"{listener.Passed} passed, {listener.Failed} failed, {listener.Skipped} skipped ({clock.Elapsed.TotalSeconds:F1} s)");
return listener.Failed > 0 ? 1 : 0;

/// <summary>
/// Tests and suites whose full name starts with one of the prefixes (or contains a "~" one). NUnit's Pass adds the rest: the children of a
/// matching suite, and the ancestors of a matching test (so they are entered), nothing else.
/// </summary>
sealed class PrefixFilter(string[] prefixes) : TestFilter
{
    public override bool Match(ITest test) => prefixes.Any(p => p.StartsWith('~')
        ? test.FullName.Contains(p[1..], StringComparison.Ordinal)
        : test.FullName.StartsWith(p, StringComparison.Ordinal));
    public override TNode AddToXml(TNode parentNode, bool recursive) => parentNode.AddElement("prefix", string.Join(";", prefixes));
}

sealed class ConsoleListener : ITestListener
{
    public int Passed, Failed, Skipped;

    public void TestStarted(ITest test) { }
    public void TestOutput(TestOutput output) => Console.Write(output.Text);
    public void SendMessage(TestMessage message) { }

    public void TestFinished(ITestResult result)
    {
        if (result.Test.IsSuite)
        {
            if (result.ResultState.Site == FailureSite.SetUp) Console.WriteLine($"SETUP FAILED {result.FullName}: {result.Message}");
            return;
        }
        switch (result.ResultState.Status)
        {
            case TestStatus.Passed: Passed++; break;
            case TestStatus.Failed:
                Failed++;
                Console.WriteLine($"FAILED {result.FullName} ({result.Duration:F2} s)\n  {result.Message?.Trim().Replace("\n", "\n  ")}\n  {result.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                break;
            default:
                Skipped++;
                Console.WriteLine($"skipped {result.FullName}: {result.Message}");
                break;
        }
    }
}
