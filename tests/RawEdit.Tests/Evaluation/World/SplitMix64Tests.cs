using RawEdit.Tensors;
using RawEdit.Evaluation.World;

namespace RawEdit.Tests.Evaluation.World;

[TestFixture]
internal class SplitMix64Tests
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

        static ulong First(ulong seed, string name, ulong index = 0) => SplitMix64.ForStream(seed, name, index).NextUInt64();
        ulong reference = First(1, "a");
        Assert.That(First(1, "a"), Is.EqualTo(reference));
        Assert.That(First(1, "b"), Is.Not.EqualTo(reference));
        Assert.That(First(2, "a"), Is.Not.EqualTo(reference));
        Assert.That(First(1, "a", 3), Is.Not.EqualTo(First(1, "a", 4)));
    }
}
