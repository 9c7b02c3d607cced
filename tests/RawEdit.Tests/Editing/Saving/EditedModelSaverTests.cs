using RawEdit.Editing;
using RawEdit.Editing.Saving;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Editing.Saving;

/// <summary>
/// The saver's report must describe the file it wrote: the update read back from disk (edited file minus the unedited
/// model saved the same way) is the one measured. BF16 from F16 weights also checks that the change of dtype itself is
/// not counted as lost update.
/// </summary>
[TestFixture]
internal class EditedModelSaverTests : TempFolderTest
{
    private const string Weight = "transformer.h.1.mlp.c_proj.weight";

    private static LoadedModel TinyWorld()
    {
        string folder = TestPaths.InRepo("weights/tiny-world");
        var loaded = ModelCheckpoint.Load(folder, WeightPrecision.Float32);
        return new LoadedModel(loaded.Model, RawEdit.Models.Tokenization.Gpt2Tokenizer.Default, folder, loaded.Layout, loaded.StoredTypes);
    }

    private static AppliedEdit SmallRankOneEdit(LoadedModel loaded, float scale)
    {
        var w = loaded.Model.Parameters[Weight];
        var u = Enumerable.Range(0, w.Shape[0]).Select(i => scale * MathF.Sin(i + 1)).ToArray();
        var r = Enumerable.Range(0, w.Shape[1]).Select(j => MathF.Cos(0.3f * j)).ToArray();
        return new RankOneEdit(Weight, u, r, OutByIn: false).ApplyTo(loaded.Model);
    }

    [TestCase(SaveDType.Same, TensorDType.F16)]
    [TestCase(SaveDType.BF16, TensorDType.BF16)]
    [TestCase(SaveDType.F32, TensorDType.F32)]
    public void The_report_measures_the_update_the_saved_file_carries(SaveDType dtype, TensorDType expected)
    {
        var loaded = TinyWorld();
        string unedited = Path.Combine(temp, "unedited"), folder = Path.Combine(temp, "saved");
        EditedModelSaver.Save(loaded, new PristineWeights(new Dictionary<string, float[]>()), unedited, dtype);
        var applied = SmallRankOneEdit(loaded, 1e-3f);

        var report = EditedModelSaver.Save(loaded, PristineWeights.FromApplied(loaded.Model, [applied]), folder, dtype);

        var update = report.Updates.Single();
        Assert.That((update.Name, update.DType), Is.EqualTo((Weight, expected)));
        var saved = ModelCheckpoint.Load(folder, WeightPrecision.Float32);
        Assert.That(saved.StoredTypes.Values.Distinct(), Is.EqualTo(new[] { expected }), "every tensor in one dtype");
        var stored = saved.Model.Parameters[Weight].ToFloatArray();
        var pristine = ModelCheckpoint.Load(unedited, WeightPrecision.Float32).Model.Parameters[Weight].ToFloatArray();   // stored(W)
        var current = loaded.Model.Parameters[Weight].ToFloatArray();
        double storedNorm = Math.Sqrt(stored.Select((s, i) => Math.Pow((double)s - pristine[i], 2)).Sum());
        var before = applied.Originals.Single().Original.ToFloatArray();
        double errorNorm = Math.Sqrt(stored.Select((s, i) => Math.Pow((double)s - pristine[i] - ((double)current[i] - before[i]), 2)).Sum());
        Assert.That(update.StoredUpdateNorm, Is.EqualTo(storedNorm).Within(1e-12 + 1e-9 * storedNorm));
        Assert.That(update.RelativeError, Is.EqualTo(errorNorm / update.UpdateNorm).Within(1e-9));
        TestContext.Out.WriteLine($"{dtype}: ‖ΔW‖ {update.UpdateNorm:G4}, stored {update.StoredUpdateNorm:G4}, relative error {update.RelativeError:E2}");
    }

    [Test]
    public void An_edited_weight_beyond_the_storage_range_is_refused_before_anything_is_written()
    {
        var loaded = TinyWorld();
        var applied = SmallRankOneEdit(loaded, 1e5f);   // |ΔW| up to ≈ 1e5 > F16's largest finite value 65,504
        var pristine = PristineWeights.FromApplied(loaded.Model, [applied]);
        string folder = Path.Combine(temp, "saved");

        var refused = Assert.Throws<StorageRangeException>(() => EditedModelSaver.Save(loaded, pristine, folder, SaveDType.Same));

        Assert.That(refused!.Message, Does.Contain(Weight).And.Contain("F16").And.Contain("--save-dtype f32"));
        Assert.That(File.Exists(Path.Combine(folder, "model.safetensors")), Is.False, "nothing written");
        var report = EditedModelSaver.Save(loaded, pristine, folder, SaveDType.F32);
        Assert.That(report.Updates.Single().Overflowed, Is.Zero);
        Assert.That(report.Updates.Single().RelativeError, Is.Zero);
        Assert.That(ModelCheckpoint.Load(folder, WeightPrecision.Float32).Model.Parameters[Weight].ToFloatArray().All(float.IsFinite), Is.True);
    }

    [Test]
    public void Pristine_weights_come_from_the_first_edit_of_each_weight()
    {
        var loaded = TinyWorld();
        var before = loaded.Model.Parameters[Weight].ToFloatArray();
        var edits = new[] { SmallRankOneEdit(loaded, 1e-2f), SmallRankOneEdit(loaded, 2e-2f) };
        var pristine = PristineWeights.FromApplied(loaded.Model, edits);
        Assert.That(pristine.Names, Is.EqualTo(new[] { Weight }));
        Assert.That(pristine[Weight].ToArray(), Is.EqualTo(before));
    }
}
