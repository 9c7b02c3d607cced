using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.World;
using RawEdit.Models;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Evaluation.DefaultModel;

/// <summary>
/// The CPU GEMM keeps packed copies of weights between products (CpuGemm.PackedWeightCacheBytes). An edit writes
/// a weight; the very next forward pass must see it: its logits change, and equal bit for bit those computed with
/// the cache turned off.
/// </summary>
[TestFixture, NonParallelizable]
internal class PackedWeightsAfterEditTests
{
    [Test]
    public void Logits_right_after_a_rome_edit_are_those_of_the_edited_weights()
    {
        var loaded = ModelLocator.Load(TinyWorldPreset.Name); // a private copy: this test edits it
        var world = FactWorld.Generate(TinyWorldPreset.World);
        var record = world.ExportCounterFact(1)[0];
        var r = record.RequestedRewrite;
        int[] ids = loaded.Tokenizer.Encode(r.Prompt.Replace("{}", r.Subject));
        float[] Logits() => loaded.Model.Forward(TokenBatch.Single(ids)).ToFloatArray();

        float[] before = Logits();
        for (int i = 0; i < 2; i++) Assert.That(Logits(), Is.EqualTo(before), "the packed weights give the same logits");
        var h = RomeHyperParameters.TinyWorld;
        var weight = (CpuStorage<float>)loaded.Model.Parameters[loaded.Model.MlpDownProjection(h.Layer).Name].Storage;
        Assert.That(PackedWeightCache.HeldBytes(weight), Is.Positive, "the edited weight is cached before the edit");

        var request = EditRequest.Create(r.Prompt, r.Subject, r.TargetNew.Str, r.TargetTrue.Str);
        var moment = SecondMomentLookup.Find(Path.Combine(loaded.Source, "stats"), loaded.Model, h.Layer, h.Mom2NSamples);
        var templates = ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, h.ContextTemplateLengthParams);
        RomeEditor.Compute(loaded.Model, loaded.Tokenizer, request, templates, h, RomeMode.Rome, moment).Edit.ApplyTo(loaded.Model);

        float[] after = Logits();
        long savedBudget = CpuGemm.PackedWeightCacheBytes;
        float[] uncached;
        try
        {
            CpuGemm.PackedWeightCacheBytes = 0;
            uncached = Logits();
        }
        finally { CpuGemm.PackedWeightCacheBytes = savedBudget; }

        Assert.That(after, Is.Not.EqualTo(before), "the edit changed the logits");
        Assert.That(after, Is.EqualTo(uncached), "first forward after the edit");
        Assert.That(Logits(), Is.EqualTo(uncached), "forward from the re-packed weight");
    }
}
