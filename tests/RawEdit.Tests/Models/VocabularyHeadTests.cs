using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Gpt2;
using RawEdit.Models.GptJ;
using RawEdit.Models.Training;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Models;

/// <summary>
/// The compact head of a vocabulary-subset model against the full head it stands for: every figure is computed both ways,
/// the full side from model.Unembed's V logits with the plain formulas. On each backend.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class VocabularyHeadTests(string device) : DeviceFixture(device)
{
    private const int Vocab = 64;
    // Used tokens: 24 of 64, so 40 rows are zero (and token 0 is unused: an unused id is the lowest).
    private static readonly int[] Used = Enumerable.Range(0, Vocab).Where(v => v % 3 == 1 || v > 50).ToArray();

    private static Gpt2Model SubsetModel()
    {
        var model = Gpt2Initializer.Random(new Gpt2Config { VocabSize = Vocab, Positions = 32, Embedding = 16, Layers = 2, Heads = 2, BosTokenId = 63, EosTokenId = 63 }, seed: 5);
        new VocabularySubset(Used, Vocab).ZeroUnusedRows(model["transformer.wte.weight"]);
        return model;
    }

    private static (Tensor Hidden, float[] Full) RandomRows(ICausalLanguageModel model, int rows, int seed)
    {
        var hidden = Tensor.RandomNormal(seed, 1.0, DType.F32, rows, model.Embedding);
        using var _ = Tape.NoGrad();
        return (hidden, model.Unembed(hidden).ToFloatArray());
    }

    [Test]
    public void A_model_with_zero_head_rows_gets_the_compact_head_and_one_without_the_plain_one()
    {
        var head = VocabularyHead.Of(SubsetModel());
        Assert.That(head.IsCompact, Is.True);
        Assert.That(head.Width, Is.EqualTo(Used.Length + 1));
        Assert.That(head.UnusedCount, Is.EqualTo(Vocab - Used.Length));
        var plain = VocabularyHead.Of(Gpt2Initializer.Random(new Gpt2Config { VocabSize = Vocab, Positions = 32, Embedding = 16, Layers = 1, Heads = 2, BosTokenId = 63, EosTokenId = 63 }, seed: 6));
        Assert.That(plain.IsCompact, Is.False);
        Assert.That(plain.Width, Is.EqualTo(Vocab));
    }

    [Test]
    public void Log_probabilities_of_used_and_unused_tokens_equal_the_full_log_softmax()
    {
        var model = SubsetModel();
        var head = VocabularyHead.Of(model);
        var (hidden, full) = RandomRows(model, 6, seed: 1);
        float[] compact;
        using (Tape.NoGrad()) compact = head.Logits(model, hidden).ToFloatArray();
        AssertLogProbabilities(head, compact, full, Enumerable.Range(0, Vocab));
    }

    // For each row: the head's log p(token) from its W columns against log softmax of the full row of V logits.
    private static void AssertLogProbabilities(VocabularyHead head, float[] compact, float[] full, IEnumerable<int> tokens)
    {
        for (int r = 0; r < full.Length / Vocab; r++)
        {
            var row = full.AsSpan(r * Vocab, Vocab).ToArray();
            double max = row.Max(), logZ = max + Math.Log(row.Sum(z => Math.Exp(z - max)));
            foreach (int token in tokens)
                Assert.That(head.LogProbability(compact.AsSpan(r * head.Width, head.Width), token), Is.EqualTo(row[token] - logZ).Within(1e-5), $"row {r} token {token}");
        }
    }

    [Test]
    public void Argmax_and_top_k_draws_equal_those_over_the_full_row_even_when_unused_zeros_win()
    {
        var head = VocabularyHead.Of(SubsetModel());
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            // Used logits around 0 (shifted down in some trials, so unused tokens, logit 0, lead), some exactly 0 (ties).
            double shift = trial % 4 == 0 ? -3 : 0;
            var compact = new float[head.Width];
            for (int c = 0; c < Used.Length; c++) compact[c] = trial % 5 == 1 && c % 4 == 0 ? 0f : (float)(rng.NextDouble() * 4 - 2 + shift);
            compact[^1] = (float)Math.Log(head.UnusedCount);
            var full = new float[Vocab];
            for (int c = 0; c < Used.Length; c++) full[Used[c]] = compact[c];

            Assert.That(head.ArgMax(compact), Is.EqualTo(VocabularyHead.ArgMaxOf(full)), $"trial {trial}");
            foreach (int k in new[] { 1, 5, 30, 60, 100 })   // 60 and 100 ≥ the 40 unused tokens (100 > V)
                Assert.That(head.SampleTopK(compact, k, new Random(trial)), Is.EqualTo(VocabularyHead.SampleTopKOf(full, k, new Random(trial))), $"trial {trial}, k {k}");
        }
    }

    [Test]
    public void A_kl_divergence_over_the_compact_columns_is_the_full_vocabularys()
    {
        var model = SubsetModel();
        var head = VocabularyHead.Of(model);
        var (p, _) = RandomRows(model, 4, seed: 7);
        var (q, _) = RandomRows(model, 4, seed: 8);
        using var _ = Tape.NoGrad();
        double compact = Ops.KlDivergence(Ops.LogSoftmax(head.Logits(model, p)), Ops.LogSoftmax(head.Logits(model, q))).Item();
        double full = Ops.KlDivergence(Ops.LogSoftmax(model.Unembed(p)), Ops.LogSoftmax(model.Unembed(q))).Item();
        Assert.That(compact, Is.EqualTo(full).Within(1e-6 + 1e-5 * Math.Abs(full)));
    }

    [Test]
    public void The_gradient_of_a_target_loss_and_a_kl_term_through_the_compact_head_is_the_full_heads()
    {
        var model = SubsetModel();
        var head = VocabularyHead.Of(model);
        int[] targets = [Used[2], Used[9], Used[20]];
        var (reference, _) = RandomRows(model, 3, seed: 11);
        Tensor Gradient(Func<Tensor, Tensor> logits, Func<int, int> column)
        {
            var hidden = Tensor.FromArray(reference.ToFloatArray(), 3, model.Embedding);
            hidden.RequiresGrad = true;
            Tensor initial;
            using (Tape.NoGrad()) initial = Ops.LogSoftmax(logits(Ops.Scale(reference, 0.5)));
            using var tape = new Tape();
            var logProbs = Ops.LogSoftmax(logits(hidden));
            var loss = Ops.Add(Ops.Scale(Ops.Sum(Ops.PickColumns(logProbs, targets.Select(column).ToArray())), -1.0 / 3), Ops.KlDivergence(logProbs, initial));
            tape.Backward(loss);
            return hidden.Grad!;
        }
        var compact = Gradient(h => head.Logits(model, h), head.Column).ToFloatArray();
        var full = Gradient(model.Unembed, t => t).ToFloatArray();
        Assert.That(Compare.RelativeError(compact, full), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void A_loss_on_an_unused_token_falls_back_to_the_plain_head()
    {
        var model = SubsetModel();
        Assert.That(VocabularyHead.Covering(model, [Used[0], Used[5]]).IsCompact, Is.True);
        var covering = VocabularyHead.Covering(model, [Used[0], 0]);
        Assert.That(covering.IsCompact, Is.False);
        Assert.That(covering.Column(0), Is.Zero);
        Assert.Throws<ArgumentException>(() => VocabularyHead.Of(model).Column(0), "an unused token has no column of its own");
    }

    [Test]
    public void Greedy_and_sampled_generation_on_the_compact_head_equal_the_full_logits_choices()
    {
        var model = SubsetModel();
        Assume.That(VocabularyHead.Of(model).IsCompact);
        int[] prompt = [4, 7, 52];
        foreach (int topK in new[] { 1, 5 })
        {
            var options = new GenerationOptions(MaxNewTokens: 8, TopK: topK, Seed: 9, StopAtEndOfText: false);
            var generated = TextGenerator.Generate(model, [prompt], options)[0];
            // The reference: a fresh forward pass per step and the plain selection over all V logits, one rng.
            var rng = new Random(9);
            var sequence = prompt.ToList();
            using var _ = Tape.NoGrad();
            for (int s = 0; s < 8; s++)
            {
                var logits = model.Forward(TokenBatch.Single([.. sequence])).ToFloatArray().AsSpan((sequence.Count - 1) * Vocab, Vocab);
                sequence.Add(topK == 1 ? VocabularyHead.ArgMaxOf(logits) : VocabularyHead.SampleTopKOf(logits, topK, rng));
            }
            Assert.That(generated, Is.EqualTo(sequence.Skip(prompt.Length).ToArray()), $"top-k {topK}");
        }
    }

    [Test]
    public void A_gptj_row_is_unused_only_when_its_bias_is_zero_too()
    {
        var config = new GptJConfig { VocabSize = Vocab, Positions = 32, Embedding = 16, Layers = 1, Heads = 2, RotaryDim = 4, BosTokenId = 63, EosTokenId = 63 };
        int seed = 0;
        var parameters = GptJModel.ExpectedShapes(config).ToDictionary(p => p.Name, p => Tensor.RandomNormal(++seed, 0.2, DType.F32, p.Shape));
        var weight = parameters["lm_head.weight"].ToFloatArray();
        var bias = parameters["lm_head.bias"].ToFloatArray();
        for (int v = 0; v < 40; v++)
        {
            Array.Clear(weight, v * 16, 16);
            if (v != 7) bias[v] = 0;   // token 7: zero row, non-zero bias → its logit is not 0: used
        }
        parameters["lm_head.weight"] = Tensor.FromArray(weight, Vocab, 16);
        parameters["lm_head.bias"] = Tensor.FromArray(bias, Vocab);
        var model = new GptJModel(config, parameters);
        var head = VocabularyHead.Of(model);
        Assert.That(head.IsCompact, Is.True);
        Assert.That(head.UnusedCount, Is.EqualTo(39));
        Assert.That(head.HasColumn(7), Is.True);
        var (hidden, full) = RandomRows(model, 3, seed: 2);
        float[] compact;
        using (Tape.NoGrad()) compact = head.Logits(model, hidden).ToFloatArray();
        AssertLogProbabilities(head, compact, full, [0, 7, 39, 40, 63]);
    }
}
