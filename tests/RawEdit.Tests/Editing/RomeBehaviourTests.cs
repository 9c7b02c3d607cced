using RawEdit.Editing;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Hooks;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Editing;

[TestFixture]
internal class RomeBehaviourTests
{
    private static readonly Gpt2Model Model = Gpt2Checkpoint.Load(TestPaths.Goldens("gpt2-random")).Model;

    // Id-level request on the 1024-token random model: prefix + subject + suffix, target of two tokens.
    private static RomePrompts Prompts(bool singleTemplate)
    {
        int[] subject = [215, 786, 472], prefix = [856, 917], suffix = [751, 458], target = [601, 515];
        int[][] contexts = singleTemplate ? [[]] : [[], [47, 959, 515], [792, 194, 561, 513, 413]];
        IndexedPrompt Key(int[] context) => new([.. context, .. prefix, .. subject, .. suffix], context.Length + prefix.Length + subject.Length - 1);
        var keys = contexts.Select(Key).ToList();
        return new RomePrompts(keys, keys.Select(k => k with { Ids = [.. k.Ids, .. target[..^1]] }).ToList(),
            new IndexedPrompt([.. subject, 167, 309], subject.Length - 1), target);
    }

    private static readonly RomeHyperParameters Hparams = new() { Layers = [1], VNumGradSteps = 8, VWeightDecay = 0.05 };

    private static float[] Run(RomeMode mode, bool single) =>
        RomeEditor.Compute(Model, Prompts(single), Hparams, mode, SecondMoment.Identity(Model.MlpWidth)).Edit.DeltaMatrix();

    [Test]
    public void Rome_and_r_rome_differ_with_several_templates_and_coincide_with_one()
    {
        Assert.That(Compare.RelativeError(Run(RomeMode.Rome, single: false), Run(RomeMode.RRome, single: false)), Is.GreaterThan(1e-2));
        Assert.That(Run(RomeMode.Rome, single: true), Is.EqualTo(Run(RomeMode.RRome, single: true)));
        Assert.That(Run(RomeMode.PRome, single: true), Is.EqualTo(Run(RomeMode.Rome, single: true)));
    }

    [Test]
    public void Keys_read_in_the_frozen_pass_equal_the_key_prompts_own_and_other_prompts_are_read_anew()
    {
        var prompts = Prompts(singleTemplate: false);
        var (keys, values) = SubjectActivations.Read(Model, 1, prompts.Keys);
        var shared = RomeEditor.Compute(Model, prompts, Hparams, RomeMode.RRome, SecondMoment.Identity(Model.MlpWidth));
        Assert.That(Compare.RelativeError(shared.KBar, SubjectActivations.Mean(keys)), Is.LessThan(1e-6));
        Assert.That(Compare.RelativeError(shared.VBar, SubjectActivations.Mean(values)), Is.LessThan(1e-6));

        // Rewrite prompts that do not extend their key prompts: the keys must come from the key prompts themselves.
        var unrelated = prompts with { Rewrites = prompts.Rewrites.Select(p => p with { Ids = [1, .. p.Ids], SubjectLast = p.SubjectLast + 1 }).ToList() };
        var read = RomeEditor.Compute(Model, unrelated, Hparams, RomeMode.RRome, SecondMoment.Identity(Model.MlpWidth));
        Assert.That(Compare.RelativeError(read.KBar, SubjectActivations.Mean(keys)), Is.LessThan(1e-6));
        Assert.That(Compare.RelativeError(read.KS, keys[0]), Is.LessThan(1e-6));
    }

    // GPT-2 (Conv1D [in, out]) and GPT-J (Linear [out, in], fc_out [C, F]): the same edit must land in either orientation.
    [TestCase("gpt2-random", "transformer.h.1.mlp.c_proj.weight")]
    [TestCase("gptj-random", "transformer.h.1.mlp.fc_out.weight")]
    public void The_edited_layer_maps_the_subject_key_to_v_star_and_revert_restores_every_bit(string modelName, string expectedWeight)
    {
        var model = ModelCheckpoint.Load(TestPaths.Goldens(modelName)).Model;
        var prompts = Prompts(singleTemplate: false);
        var result = RomeEditor.Compute(model, prompts, Hparams, RomeMode.Rome, SecondMoment.Identity(model.MlpWidth));
        var weightName = result.Edit.WeightName;
        Assert.That(weightName, Is.EqualTo(expectedWeight));
        var before = model.Parameters[weightName].ToFloatArray();

        var applied = result.Edit.ApplyTo(model);
        try
        {
            // rome: W' k_s + b = v_s + r (u·k_s) = v_init + δ at the unprefixed prompt.
            var (_, values) = SubjectActivations.Read(model, 1, [prompts.Keys[0]]);
            Assert.That(Compare.RelativeError(values[0], result.Value.VStar), Is.LessThan(1e-4));
            Assert.That(Compare.RelativeError(values[0], result.Value.VInit), Is.GreaterThan(1e-3), "the edit must move the value (else the check proves nothing)");
            Assert.That(model.Parameters[weightName].ToFloatArray(), Is.Not.EqualTo(before));
        }
        finally { applied.Revert(); }
        Assert.That(model.Parameters[weightName].ToFloatArray(), Is.EqualTo(before));
    }

    [Test]
    public void The_magnitude_is_the_frobenius_norm_over_the_element_count()
    {
        var edit = RomeEditor.Compute(Model, Prompts(false), Hparams, RomeMode.RRome, SecondMoment.Identity(Model.MlpWidth)).Edit;
        double frobenius = Math.Sqrt(edit.DeltaMatrix().Sum(x => (double)x * x));
        Assert.That(edit.NormalizedMagnitude, Is.EqualTo(frobenius / (512.0 * 128)).Within(1e-6 * frobenius / (512.0 * 128)));
    }

    [Test]
    public void The_value_optimisation_lowers_the_target_loss_and_respects_the_clamp()
    {
        var h = Hparams with { VNumGradSteps = 15, VWeightDecay = 0.0, ClampNormFactor = 0.5 };
        var value = ValueOptimizer.Optimize(Model, 1, Prompts(false), h);
        Assert.That(value.LossTrace[^1], Is.LessThan(value.LossTrace[0]));
        double deltaNorm = Math.Sqrt(value.Delta.Sum(x => (double)x * x)), vInitNorm = Math.Sqrt(value.VInit.Sum(x => (double)x * x));
        Assert.That(deltaNorm, Is.LessThanOrEqualTo(0.5 * vInitNorm * (1 + 1e-5)));
        Assert.That(value.AdamSteps, Is.EqualTo(14), "upstream stops at it == v_num_grad_steps − 1");
    }

    [Test]
    public void A_prompt_that_neither_has_a_placeholder_nor_contains_the_subject_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => EditRequest.Create("The tower is in", "Eiffel Tower", "Rome"));
        Assert.That(e!.Message, Does.Contain("does not contain its subject"));
        Assert.That(EditRequest.Create("The Eiffel Tower is in", "Eiffel Tower", "Rome").Prompt, Is.EqualTo("The {} is in"));
    }

    [Test]
    public void A_singular_second_moment_is_reported_not_solved()
    {
        var zero = new SecondMoment(new double[512 * 512], 512, tokens: 10);
        var e = Assert.Throws<InvalidOperationException>(() => RomeEditor.Compute(Model, Prompts(true), Hparams, RomeMode.Rome, zero));
        Assert.That(e!.Message, Does.Contain("not positive definite"));
    }
}
