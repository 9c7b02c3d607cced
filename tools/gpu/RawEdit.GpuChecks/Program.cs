// rawedit-gpu-checks [--list] [PATTERN…]: runs (or, with --list, names) the RawEdit tests whose full names start with
// a PATTERN, or contain it when it starts with "~", and none of whose full names contain a "!" PATTERN (default: the
// GPU suites of RawEdit.Tests.Tensors.Gpu and every per-backend fixture's "cuda" half, less the halves and tests that
// run on ILGPU's CPU accelerator, which CI runs), through NUnit's own runner; prints one line per failure and per skip
// reason, and ends with "N passed, N failed, N skipped". Exit code 1 when any test failed.
// rawedit-gpu-checks --gemm [--mode fp32|tf32|bf16|all] [--rounds N] M,N,K [M,N,K…]: our GEMM against cuBLAS at each
// shape instead (GemmTiming.cs).
// rawedit-gpu-checks --rome-server: RawEdit.Benchmarks' ROME line protocol (benchmarks/rome/side_by_side.py), on
// RAWEDIT_DEVICE's backend; so the GPU machine needs only this one self-contained program.
using System.Diagnostics;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Filters;

if (args.Length > 1 && args[0] == "--gemm")
{
    var rest = args.Skip(1).ToList();
    string Option(string name, string fallback)
    {
        int at = rest.IndexOf(name);
        if (at < 0 || at + 1 >= rest.Count) return fallback;
        string value = rest[at + 1];
        rest.RemoveRange(at, 2);
        return value;
    }
    try { return RawEdit.GpuChecks.GemmTiming.Run(Option("--mode", "fp32"), int.Parse(Option("--rounds", "3")), rest); }
    catch (Exception e) when (e is InvalidOperationException or FormatException or DllNotFoundException)
    {
        Console.Error.WriteLine($"rawedit-gpu-checks: {e.Message}");
        return 2;
    }
}

if (args.Length == 1 && args[0] == "--rome-server")
{
    try { RawEdit.Tensors.Gpu.DeviceSelection.UseEnvironmentChoice(); }
    catch (InvalidOperationException e) { Console.Error.WriteLine($"rawedit-gpu-checks: {e.Message}"); return 2; }
    return RawEdit.Benchmarks.Rome.RomeServer.Serve(Console.In, Console.Out);
}

bool list = args.Length > 0 && args[0] == "--list";
string[] patterns = args.Skip(list ? 1 : 0).ToArray();
if (!patterns.Any(p => !p.StartsWith('!')))
    patterns = ["RawEdit.Tests.Tensors.Gpu", "~(\"cuda\")", "!(\"ilgpu-cpu\")", "!(\"ilgpu-cpu-4\")", "!TensorCoreGemmTests", .. patterns];
var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
runner.Load(typeof(RawEdit.Tests.TestPaths).Assembly, new Dictionary<string, object>());
var filter = new PatternFilter(patterns);
if (list)
{
    void Print(ITest test)
    {
        if (!filter.Pass(test)) return;
        if (!test.IsSuite) Console.WriteLine(test.FullName);
        foreach (var child in test.Tests) Print(child);
    }
    Print(runner.ExploreTests(filter));
    return 0;
}
var clock = Stopwatch.StartNew();
var listener = new ConsoleListener();
runner.Run(listener, filter);
Console.WriteLine($"{listener.Passed} passed, {listener.Failed} failed, {listener.Skipped} skipped ({clock.Elapsed.TotalSeconds:F1} s)");
return listener.Failed > 0 ? 1 : 0;

/// <summary>
/// Tests and suites whose full name starts with an including pattern (or contains a "~" one), less those whose full
/// name contains a "!" pattern. NUnit's Pass adds the children of a matching suite and the ancestors of a matching
/// test (so they are entered); the exclusions apply to every one of them.
/// </summary>
sealed class PatternFilter(string[] patterns) : TestFilter
{
    private readonly string[] excluded = patterns.Where(p => p.StartsWith('!')).Select(p => p[1..]).ToArray();
    private readonly string[] included = patterns.Where(p => !p.StartsWith('!')).ToArray();

    private bool Excluded(ITest test) => excluded.Any(x => test.FullName.Contains(x, StringComparison.Ordinal));

    public override bool Match(ITest test) => !Excluded(test) && included.Any(p => p.StartsWith('~')
        ? test.FullName.Contains(p[1..], StringComparison.Ordinal)
        : test.FullName.StartsWith(p, StringComparison.Ordinal));

    public override bool Pass(ITest test, bool negated = false) => !Excluded(test) && base.Pass(test, negated);

    public override TNode AddToXml(TNode parentNode, bool recursive) => parentNode.AddElement("patterns", string.Join(";", patterns));
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
