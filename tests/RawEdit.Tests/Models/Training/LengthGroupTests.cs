using RawEdit.Models.Gpt2;
using RawEdit.Models.Training;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Models.Training;

[TestFixture]
internal class LengthGroupTests
{
    [Test]
    public void Groups_cover_every_sequence_once_sorted_by_length()
    {
        int[] lengths = [30, 5, 100, 7, 31, 6, 99, 29];
        var groups = LengthGroups.Split(lengths, groupCostTokens: 10);
        Assert.That(groups.SelectMany(g => g).Order(), Is.EqualTo(Enumerable.Range(0, lengths.Length)));
        var flat = groups.SelectMany(g => g).Select(i => lengths[i]).ToArray();
        Assert.That(flat, Is.Ordered);
        // Cheap groups: short, middle and long sequences are padded apart ({5,6,7}, {29,30,31}, {99,100}).
        Assert.That(groups.Select(g => g.Length), Is.EqualTo(new[] { 3, 3, 2 }));
    }

    [Test]
    public void The_cut_minimises_padding_plus_the_cost_per_group_found_by_exhaustive_search()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 30; trial++)
        {
            var lengths = Enumerable.Range(0, random.Next(1, 11)).Select(_ => random.Next(2, 120)).ToArray();
            int overhead = random.Next(0, 200);
            long Cost(IEnumerable<int[]> groups) => groups.Sum(g => (long)g.Length * g.Max(i => lengths[i]) + overhead);
            // Exhaustive: every way to cut the sorted order into contiguous runs (2^(n−1) of them).
            var sorted = Enumerable.Range(0, lengths.Length).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
            long bestCost = long.MaxValue;
            for (int cuts = 0; cuts < 1 << (sorted.Length - 1); cuts++)
            {
                var groups = new List<int[]>();
                int start = 0;
                for (int k = 1; k <= sorted.Length; k++)
                    if (k == sorted.Length || (cuts >> (k - 1) & 1) == 1) { groups.Add(sorted[start..k]); start = k; }
                bestCost = Math.Min(bestCost, Cost(groups));
            }
            Assert.That(Cost(LengthGroups.Split(lengths, overhead)), Is.EqualTo(bestCost), $"trial {trial}");
        }
    }

    [Test]
    public void Grouped_loss_and_gradients_equal_one_batch_padded_to_its_longest_sequence()
    {
        var config = new Gpt2Config { VocabSize = 300, Positions = 64, Embedding = 32, Layers = 2, Heads = 2, BosTokenId = 299, EosTokenId = 299 };
        var random = new Random(7);
        // Lengths spread from 3 to 60 so the batch splits into several groups.
        var corpus = Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, 3 + i * i * 57 / 121).Select(_ => random.Next(0, 299)).ToArray()).ToList();
        Assert.That(LengthGroups.Split(corpus.Select(s => s.Length).ToArray(), LanguageModelTrainer.GroupCostTokens).Length, Is.GreaterThan(1));
        var model = Gpt2Initializer.Random(config, seed: 4);
        var trainer = new LanguageModelTrainer(model, corpus, new TrainingOptions { Epochs = 1, BatchSequences = 12, CheckpointEvery = 0 });

        (double Loss, Dictionary<string, float[]> Grads) Evaluate(bool grouped)
        {
            using var tape = new Tape();
            var loss = trainer.Loss(corpus, grouped);
            tape.Backward(loss);
            var grads = model.Parameters.ToDictionary(p => p.Key, p => p.Value.Grad!.ToFloatArray());
            foreach (var p in model.Parameters.Values) p.ZeroGrad();
            return (loss.Item(), grads);
        }

        var grouped = Evaluate(grouped: true);
        var padded = Evaluate(grouped: false);
        Assert.That(grouped.Loss, Is.EqualTo(padded.Loss).Within(1e-5 * padded.Loss));
        foreach (var (name, grad) in padded.Grads)
            Assert.That(Compare.RelativeError(grouped.Grads[name], grad), Is.LessThan(1e-4), name);
    }
}
