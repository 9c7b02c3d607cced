using RawEdit.Evaluation.Sequential;

namespace RawEdit.Tests.Evaluation.Sequential;

[TestFixture]
internal class DisablingEditGuardTests
{
    [Test]
    public void Magnitude_is_judged_against_the_median_of_accepted_edits_once_warm()
    {
        var guard = new DisablingEditGuard(new GuardOptions(GuardMode.Flag, MagnitudeRatio: 10, EntropyFloor: 0.5, Warmup: 5));
        var early = guard.Judge(1.0, 0.9);
        Assert.That(early.Disabling, Is.False, "no running distribution yet");
        Assert.That(early.MagnitudeRatio, Is.NaN);
        foreach (double m in new[] { 1e-4, 3e-4, 2e-4, 5e-4, 4e-4 }) guard.Accept(m);   // median 3e-4

        var spike = guard.Judge(6e-3, 0.9);
        Assert.That(spike.Disabling, Is.True);
        Assert.That(spike.MagnitudeRatio, Is.EqualTo(20).Within(1e-9));
        Assert.That(spike.Reason, Does.Contain("20.0× the median of 5"));
        Assert.That(guard.Judge(2.9e-3, 0.9).Disabling, Is.False, "9.7× stays under a ratio of 10");
    }

    [Test]
    public void Low_probe_entropy_alone_flags_an_edit()
    {
        var guard = new DisablingEditGuard(new GuardOptions(GuardMode.Refuse));
        var verdict = guard.Judge(1e-4, 0.3);
        Assert.That(verdict.Disabling, Is.True);
        Assert.That(verdict.Reason, Does.Contain("entropy 0.30 < 0.50"));
    }
}
