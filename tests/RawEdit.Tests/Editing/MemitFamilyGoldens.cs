using RawEdit.Editing.Memit;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Tests.Editing;

/// <summary>What the MEMIT-family goldens (MEMIT, EMMET, AlphaEdit) compare of a batch result: relative errors by tensor name.</summary>
internal static class MemitFamilyGoldens
{
    /// <summary>z targets, h_init, δ, and per layer keys, current z and ΔW against the golden's tensors named <paramref name="prefix"/>…</summary>
    public static Dictionary<string, double> Errors(MemitResult result, SafetensorsFile golden, string prefix = "")
    {
        var errors = new Dictionary<string, double>();
        void Near(string name, float[] actual) => errors[prefix + name] = Compare.RelativeError(actual, golden.ReadAsFloat32(prefix + name));
        Near("h_init", [.. result.Values.SelectMany(v => v.VInit)]);
        Near("targets", [.. result.Targets.SelectMany(z => z)]);
        Near("delta", [.. result.Values.SelectMany(v => v.Delta)]);
        foreach (var layer in result.Layers)
        {
            Near($"keys.{layer.Layer}", [.. layer.Keys.SelectMany(k => k)]);
            Near($"cur_z.{layer.Layer}", [.. layer.CurrentZ.SelectMany(z => z)]);
            Near($"delta_w.{layer.Layer}", layer.Delta.Delta);
        }
        return errors;
    }

    /// <summary>Keys read after the batch's updates [layers][n][F], against keys_after.{layer}.</summary>
    public static void AddKeysAfter(Dictionary<string, double> errors, MemitResult result, SafetensorsFile golden, string prefix = "")
    {
        foreach (var (layer, keys) in result.Layers.Zip(result.KeysAfterEdit!))
            errors[$"{prefix}keys_after.{layer.Layer}"] = Compare.RelativeError([.. keys.SelectMany(k => k)], golden.ReadAsFloat32($"{prefix}keys_after.{layer.Layer}"));
    }

    public static void AssertWithin(Dictionary<string, double> errors, double tolerance, string caseName)
    {
        TestContext.Out.WriteLine($"{caseName}: " + string.Join(", ", errors.Select(e => $"{e.Key} {e.Value:E2}")));
        Assert.That(errors.Where(e => !(e.Value <= tolerance)).Select(e => e.Key), Is.Empty, $"{caseName}: relative errors above {tolerance}");
    }
}
