using System.Text.Json.Nodes;
using RawEdit.Evaluation.Sequential;

namespace RawEdit.Tests.Evaluation.Sequential;

[TestFixture]
internal class RunSettingsTests
{
    private static readonly RunSettings Stored = new()
    {
        Model = "/a/tiny-world", ModelSha256 = "m1", Method = "rome", Data = "/a/cf.json", DataSha256 = "d1", Edits = 10, EvalEvery = 5,
        MethodSettings = new JsonObject { ["hparams"] = new JsonObject { ["layers"] = new JsonArray(0) } }, Threads = 2,
    };

    [Test]
    public void A_resume_may_grow_the_edits_and_find_the_same_files_elsewhere()
    {
        Assert.That(Stored.Mismatch(Stored with { Edits = 1000, Model = "/b/tiny-world", Data = "/b/cf.json" }), Is.Null);
        string path = Path.Combine(Path.GetTempPath(), $"rawedit-run-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, Stored.ToJson());
            Assert.That(RunSettings.Load(path).Mismatch(Stored), Is.Null, "run.json round-trips");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void A_resume_with_other_weights_data_method_settings_or_threads_is_refused_naming_the_difference()
    {
        Assert.That(Stored.Mismatch(Stored with { ModelSha256 = "m2" }), Does.Contain("'model_sha256' differs"));
        Assert.That(Stored.Mismatch(Stored with { DataSha256 = "d2" }), Does.Contain("'data_sha256' differs"));
        Assert.That(Stored.Mismatch(Stored with { Method = "r-rome" }), Does.Contain("'method' differs"));
        Assert.That(Stored.Mismatch(Stored with { MethodSettings = new JsonObject { ["hparams"] = new JsonObject { ["layers"] = new JsonArray(1) } } }),
            Does.Contain("'method_settings' differs"));
        Assert.That(Stored.Mismatch(Stored with { Threads = 16 }), Does.Contain("DOTNET_PROCESSOR_COUNT=2"));
    }
}
