using System.Text.Json.Nodes;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models.Gpt2;

namespace RawEdit.Tests.Editing;

/// <summary>The diagnosis figures obey the update's own equations, and the residual-value switch changes only the numerator.</summary>
[TestFixture]
internal class RomeDiagnosisTests
{
    private static readonly Gpt2Model Model = Gpt2Checkpoint.Load(TestPaths.Goldens("gpt2-random")).Model;

    private static RomePrompts Prompts()
    {
        int[] subject = [215, 786, 472], target = [601, 515];
        int[][] contexts = [[], [47, 959, 515], [792, 194, 561, 513, 413]];
        var keys = contexts.Select(c => new IndexedPrompt([.. c, 856, .. subject, 751], c.Length + subject.Length)).ToList();
        return new RomePrompts(keys, keys.Select(k => k with { Ids = [.. k.Ids, .. target[..^1]] }).ToList(),
            new IndexedPrompt([.. subject, 167, 309], subject.Length - 1), target);
    }

    private static RomeResult Edit(RomeMode mode, RomeResidualValue residual = RomeResidualValue.ModeDefault) =>
        RomeEditor.Compute(Model, Prompts(), new RomeHyperParameters { Layers = [1], VNumGradSteps = 6, VWeightDecay = 0.05, ResidualValue = residual },
            mode, SecondMoment.Identity(Model.MlpWidth));

    [TestCase(RomeMode.Rome, "u_dot_k_s", "miss_at_k_s")]
    [TestCase(RomeMode.RRome, "u_dot_k_bar", "miss_at_k_bar")]
    [TestCase(RomeMode.PRome, "u_dot_k_s", "miss_at_k_s")]
    public void The_update_is_numerator_over_denominator_and_lands_exactly_at_its_own_key(RomeMode mode, string denominator, string exactAt)
    {
        var result = Edit(mode);
        var f = RomeDiagnosis.Figures(result);
        Assert.That(f[denominator], Is.EqualTo(result.Denominator).Within(1e-6 * Math.Abs(result.Denominator)), "u is stored as float32");
        Assert.That(f["denominator_ratio"], Is.EqualTo(f["u_dot_k_s"] / f["u_dot_k_bar"]).Within(1e-12));
        Assert.That(f["r_norm"], Is.EqualTo(f["residual_norm"] / Math.Abs(result.Denominator)).Within(1e-4 * f["r_norm"]), "‖r‖ = numerator / |denominator|");
        Assert.That(f[exactAt], Is.LessThan(1e-4 * f["residual_norm"]), "(W + ΔW)k = v* at the key the denominator uses");
        Assert.That(f["key_shift"], Is.GreaterThan(0), "the prefixes move the key");
    }

    [Test]
    public void The_residual_value_switch_swaps_only_the_numerator()
    {
        var rRomeResult = Edit(RomeMode.RRome);
        var promptValueResult = Edit(RomeMode.RRome, RomeResidualValue.Prompt);
        var (rRome, promptValue) = (RomeDiagnosis.Figures(rRomeResult), RomeDiagnosis.Figures(promptValueResult));
        Assert.That(promptValue["u_dot_k_bar"], Is.EqualTo(rRome["u_dot_k_bar"]), "same denominator");
        Assert.That(promptValue["residual_norm"], Is.EqualTo(promptValueResult.DeltaNorm).Within(1e-4 * promptValueResult.DeltaNorm), "r = δ / (u·k̄)");
        Assert.That(rRome["residual_norm"], Is.Not.EqualTo(rRomeResult.DeltaNorm).Within(1e-3 * rRomeResult.DeltaNorm), "r-rome's r = (δ + v_s − v̄) / (u·k̄)");

        var averaged = Edit(RomeMode.Rome, RomeResidualValue.Averaged);
        Assert.That(averaged.CurrentValue, Is.EqualTo(averaged.VBar));
        Assert.That(Edit(RomeMode.Rome).CurrentValue, Is.EqualTo(Edit(RomeMode.Rome).VS));
    }

    [Test]
    public void The_switch_is_read_from_hparams_and_left_out_of_them_by_default()
    {
        Assert.That(RomeHyperParameters.FromJson(new JsonObject { ["residual_value"] = "prompt" }).ResidualValue, Is.EqualTo(RomeResidualValue.Prompt));
        Assert.That(() => RomeHyperParameters.FromJson(new JsonObject { ["residual_value"] = "k_s" }), Throws.InstanceOf<InvalidDataException>());
        Assert.That(System.Text.Json.JsonSerializer.Serialize(RomeHyperParameters.TinyWorld), Does.Not.Contain("ResidualValue"), "run settings of the published modes are unchanged");
    }
}
