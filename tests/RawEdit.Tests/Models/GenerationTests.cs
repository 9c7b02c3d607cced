using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Models;

[TestFixture]
internal class GenerationTests
{
    private static readonly Gpt2Model Model = Gpt2Initializer.Random(
        new Gpt2Config { VocabSize = 64, Positions = 32, Embedding = 16, Layers = 2, Heads = 2, BosTokenId = 63, EosTokenId = 63 }, seed: 11);

    [Test]
    public void Greedy_decoding_picks_the_argmax_of_a_fresh_forward_pass_at_every_step()
    {
        int[] prompt = [3, 9, 27];
        var generated = TextGenerator.Generate(Model, [prompt], new GenerationOptions(MaxNewTokens: 6, StopAtEndOfText: false))[0];
        Assert.That(generated, Has.Length.EqualTo(6));
        var sequence = prompt.ToList();
        using var _ = Tape.NoGrad();
        foreach (int token in generated)
        {
            var logits = Model.Forward(TokenBatch.Single(sequence.ToArray())).ToFloatArray();
            int expected = VocabularyHead.ArgMaxOf(logits.AsSpan((sequence.Count - 1) * 64, 64));
            Assert.That(token, Is.EqualTo(expected));
            sequence.Add(token);
        }
    }

    [Test]
    public void Batched_prompts_of_different_lengths_generate_as_they_would_alone()
    {
        int[] shortPrompt = [5], longPrompt = [1, 2, 3, 4, 5, 6];
        var options = new GenerationOptions(MaxNewTokens: 5, StopAtEndOfText: false);
        var together = TextGenerator.Generate(Model, [shortPrompt, longPrompt], options);
        Assert.That(together[0], Is.EqualTo(TextGenerator.Generate(Model, [shortPrompt], options)[0]));
        Assert.That(together[1], Is.EqualTo(TextGenerator.Generate(Model, [longPrompt], options)[0]));
    }

    [Test]
    public void Top_k_sampling_repeats_with_a_seed_and_varies_across_seeds()
    {
        int[] prompt = [7, 8];
        List<int[]> Run(int seed) => TextGenerator.Generate(Model, [prompt], new GenerationOptions(12, TopK: 20, Seed: seed, StopAtEndOfText: false));
        int[] first = Run(1)[0];
        Assert.That(Run(1)[0], Is.EqualTo(first));
        Assert.That(Enumerable.Range(2, 4).Select(s => string.Join(",", Run(s)[0])).Distinct().Count(), Is.GreaterThan(1));
    }

    [Test]
    public void Groups_split_by_the_cache_budget_sample_the_same_text_as_one_group()
    {
        int[][] prompts = [[5], [1, 2, 3, 4, 5, 6], [9, 9], [40, 41, 42]];
        var options = new GenerationOptions(MaxNewTokens: 8, TopK: 10, Seed: 3, StopAtEndOfText: false);
        var oneGroup = TextGenerator.Generate(Model, prompts, options);
        // A budget below one prompt's cache puts every prompt in a group of its own; the draws stay in prompt order.
        var groupsOfOne = TextGenerator.Generate(Model, prompts, options, cacheFloatBudget: 1);
        Assert.That(groupsOfOne, Is.EqualTo(oneGroup));
    }

    [Test]
    public void A_prompt_that_ends_its_text_stops_while_the_others_go_on()
    {
        // Greedy: find a prompt whose first new token is end-of-text, then run it beside one that continues.
        var ending = Enumerable.Range(0, 63).Select(t => new[] { t })
            .FirstOrDefault(p => TextGenerator.Generate(Model, [p], new GenerationOptions(1))[0] is [63]);
        Assert.That(ending, Is.Not.Null, "no one-token prompt of this random model predicts end-of-text first: pick another seed");
        int[] other = [1, 2, 3];
        var options = new GenerationOptions(MaxNewTokens: 6);
        var together = TextGenerator.Generate(Model, [ending!, other], options);
        Assert.That(together[0], Is.EqualTo(new[] { 63 }));
        Assert.That(together[1], Is.EqualTo(TextGenerator.Generate(Model, [other], options)[0]));
    }

    [Test]
    public void Top_k_never_samples_outside_the_k_largest_logits()
    {
        var row = new float[] { 0.1f, 5f, -2f, 4.9f, 3f, 4.8f };
        var rng = new Random(0);
        var seen = Enumerable.Range(0, 2000).Select(_ => VocabularyHead.SampleTopKOf(row, 3, rng)).ToHashSet();
        Assert.That(seen, Is.EquivalentTo(new[] { 1, 3, 5 }));
    }

    [Test]
    public void Generation_stops_at_the_context_limit()
    {
        var prompt = Enumerable.Range(0, 30).Select(i => i % 60).ToArray();
        var generated = TextGenerator.Generate(Model, [prompt], new GenerationOptions(MaxNewTokens: 10, StopAtEndOfText: false))[0];
        Assert.That(generated, Has.Length.EqualTo(2));
    }
}
