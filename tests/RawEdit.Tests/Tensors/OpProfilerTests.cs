using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Profiling;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>The lap timer behind `RawEdit.Benchmarks profile`: where time is charged, and that it is off by default.</summary>
internal class OpProfilerTests
{
    [Test]
    public void WithoutAProfilerMarksDoNothing()
    {
        OpProfiler.Enter("anything");
        OpProfiler.EnterBackward("anything");
        Assert.That(OpProfiler.CurrentKind, Is.Null);
    }

    [Test]
    public void ForwardTimeGoesToTheMarkedKindAndBackwardTimeToTheKindTheOpWasRecordedUnder()
    {
        var x = Normal("x", 1201, [4, 5]);
        using var profiler = OpProfiler.Start("setup");
        using (var tape = new Tape())
        {
            OpProfiler.Enter("exp");
            var y = Ops.Exp(x);
            OpProfiler.Enter("sum");
            var loss = Ops.Sum(y);
            Assert.That(OpProfiler.CurrentKind, Is.EqualTo("sum"));
            tape.Backward(loss);
        }
        OpProfiler.Enter("after");
        var kinds = profiler.Stop();

        Assert.That(kinds.Select(k => (k.Kind, k.Backward)), Is.EqualTo(new[]
        {
            ("setup", false), ("exp", false), ("sum", false), ("sum", true), ("exp", true), ("after", false),
        }));
        Assert.That(kinds.All(k => k.Seconds >= 0), Is.True);
        Assert.That(OpProfiler.CurrentKind, Is.Null, "Stop ends profiling on the thread");
    }

    [Test]
    public void OneProfilerAtATimePerThread()
    {
        using (OpProfiler.Start())
            Assert.Throws<InvalidOperationException>(() => OpProfiler.Start());
        using var next = OpProfiler.Start("again");
        Assert.That(OpProfiler.CurrentKind, Is.EqualTo("again"));
    }
}
