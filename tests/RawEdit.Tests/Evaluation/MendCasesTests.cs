using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Mend;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Evaluation;

/// <summary>Edit cases as MEND examples, and the fixed split by case id.</summary>
[TestFixture]
internal class MendCasesTests
{
    [Test]
    public void A_zsre_record_becomes_question_rephrase_and_nq_locality()
    {
        var c = EditCaseReader.ReadFile(TestPaths.Shared("zsre/zsre_mend_train-1k.json"), limit: 1).Cases[0];
        var tokenizer = Gpt2Tokenizer.Default;
        var example = MendCases.Example(tokenizer, c);
        var target = tokenizer.Encode(" " + c.TargetNew);
        Assert.That(example.EditInner.Single().Ids, Is.EqualTo(tokenizer.Encode(c.RewritePrompt).Concat(target)));
        Assert.That(example.EditOuter, Has.Count.EqualTo(2));
        Assert.That(example.EditOuter[1].Ids[example.EditOuter[1].TargetStart..], Is.EqualTo(target));
        Assert.That(example.Locality.Single(), Is.EqualTo(tokenizer.Encode(c.NeighborhoodPrompts[0].Prompt + " " + c.NeighborhoodPrompts[0].TrueAnswer)));
    }

    [Test]
    public void The_split_holds_out_about_a_tenth_of_the_world_by_id_alone()
    {
        var cases = EditCaseReader.ReadFile(TestPaths.InRepo("weights/tiny-world/counterfact.json")).Cases;
        double heldOut = CaseSplit.Select(cases, CasePart.HeldOut).Count / (double)cases.Count;
        double validation = CaseSplit.Select(cases, CasePart.Validation).Count / (double)cases.Count;
        Assert.That(heldOut, Is.InRange(0.08, 0.12));
        Assert.That(validation, Is.InRange(0.03, 0.07));
        var first = CaseSplit.Of("17");
        Assert.That(CaseSplit.Of("17"), Is.EqualTo(first), "a case's part depends on its id alone");
        Assert.That(CaseSplit.Select(cases.Reverse(), CasePart.HeldOut).Select(c => c.CaseId).Order(), Is.EqualTo(CaseSplit.Select(cases, CasePart.HeldOut).Select(c => c.CaseId).Order()));
    }
}
