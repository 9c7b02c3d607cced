using RawEdit.Evaluation.World;

namespace RawEdit.Tests.Evaluation.World;

[TestFixture]
public class SplitMix64Tests
{
    [Test]
    public void NextUInt64_MatchesTheReferenceSequence()
    {
        // First outputs of Vigna's splitmix64.c seeded with 1234567.
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL];
        Assert.That(expected.Select(_ => rng.NextUInt64()).ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void NextInt_StaysInRangeAndReachesEveryValue()
    {
        var rng = new SplitMix64(7);
        var counts = new int[7];
        for (int i = 0; i < 7_000; i++)
            counts[rng.NextInt(7)]++;
        Assert.That(counts, Has.All.InRange(850, 1150));
    }

    [Test]
    public void Shuffle_GivesAPermutation_AndStreamsDiffer()
    {
        var items = Enumerable.Range(0, 50).ToArray();
        SplitMix64.ForStream(1, "a").Shuffle(items);
        Assert.That(items.Order(), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(items, Is.Not.EqualTo(Enumerable.Range(0, 50)));

        Assert.That(SplitMix64.ForStream(1, "a").NextUInt64(), Is.EqualTo(SplitMix64.ForStream(1, "a").NextUInt64()));
        Assert.That(SplitMix64.ForStream(1, "a").NextUInt64(), Is.Not.EqualTo(SplitMix64.ForStream(1, "b").NextUInt64()));
        Assert.That(SplitMix64.ForStream(1, "a").NextUInt64(), Is.Not.EqualTo(SplitMix64.ForStream(2, "a").NextUInt64()));
        Assert.That(SplitMix64.ForStream(1, "a", 3).NextUInt64(), Is.Not.EqualTo(SplitMix64.ForStream(1, "a", 4).NextUInt64()));
    }
}
