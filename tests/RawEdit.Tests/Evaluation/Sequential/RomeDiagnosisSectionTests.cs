using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RawEdit.Evaluation.Reports;
using RawEdit.Evaluation.Sequential;

namespace RawEdit.Tests.Evaluation.Sequential;

[TestFixture]
internal class RomeDiagnosisSectionTests
{
    private static Dictionary<string, double> OnTheEditedWeight(double value) => new() { ["transformer.h.0.mlp.c_proj.weight"] = value };

    /// <summary>Edit i of a made-up r-rome run: the denominator halves every 10 edits while the numerator stays 100, so |Δ| doubles.</summary>
    private static EditEntry Edit(int i)
    {
        double denominator = 8.0 / Math.Pow(2, i / 10), numerator = 100, magnitude = numerator / denominator / 65536;
        var figures = new Dictionary<string, double>
        {
            ["denominator"] = denominator, ["u_dot_k_bar"] = denominator, ["u_dot_k_s"] = denominator * 1.25, ["denominator_ratio"] = 1.25,
            ["key_shift"] = 0.5, ["residual_norm"] = numerator, ["delta_norm"] = 90, ["value_shift"] = 20 + i, ["value_shift_cos_delta"] = 0.1,
            ["r_norm"] = numerator / denominator, ["miss_at_k_s"] = 30, ["miss_at_k_bar"] = 1e-6,
        };
        return new EditEntry(i, $"c{i}", $"prompt {i}", "target", true, null, [], figures,
            new EditMeasurement(1, 1, 1, true, OnTheEditedWeight(magnitude), OnTheEditedWeight(magnitude),
                3, 0.9, 4, ["probe"]), "hash", 1, 1);
    }

    private static RunData Run(string method, IReadOnlyList<EditEntry> edits, int evalEvery = 10) => new("/runs/" + method, new RunSettings
    {
        Model = "m", ModelSha256 = "x", Method = method, Data = "/d/cf.json", DataSha256 = "y", Edits = edits.Count, EvalEvery = evalEvery,
        MethodSettings = new JsonObject(), Guard = new GuardOptions(GuardMode.Off),
    }, edits, []);

    private static List<string> Charts(string html) => Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();

    [Test]
    public void Each_rome_mode_run_with_the_figures_gets_well_formed_charts_placed_from_its_journal()
    {
        var edits = Enumerable.Range(0, 30).Select(Edit).ToList();
        string section = RomeDiagnosisSection.Render(Run("r-rome", edits));
        var charts = Charts(section);
        Assert.That(charts, Has.Count.EqualTo(6));
        foreach (var svg in charts)
            Assert.That(XDocument.Parse(svg).Descendants().SelectMany(e => e.Attributes()).Select(a => a.Value), Has.None.Contains("NaN").And.None.Contains("Infinity"));

        var scatter = XDocument.Parse(charts.Single(c => c.Contains("|Δ| against the denominator")));
        Assert.That(scatter.Descendants().Count(e => e.Name.LocalName == "circle"), Is.EqualTo(30), "one dot per edit");
        Assert.That(charts.Single(c => c.Contains("|Δ| against the denominator")), Does.Contain(">1e0<").And.Contain(">1e1<"), "log x axis spans the denominators 2..8");

        // Block medians of the journal's figures: blocks of the evaluation interval (10 edits).
        Assert.That(section, Does.Contain("<td>1–10</td><td>1.91E-4</td><td>1.00E2</td><td>8.00E0</td>"));
        Assert.That(section, Does.Contain("<td>21–30</td><td>7.63E-4</td><td>1.00E2</td><td>2.00E0</td>"));
        Assert.That(section, Does.Contain("|Δ| ×4, numerator ×1, |denominator| ×0.25"));
        Assert.That(RomeDiagnosisSection.LogCorrelation(Run("r-rome", edits), e => e.MethodFigures["denominator"]), Is.EqualTo(-1).Within(1e-9));
    }

    [Test]
    public void A_run_whose_numerator_value_was_switched_says_so()
    {
        var edits = Enumerable.Range(0, 10).Select(Edit).ToList();
        var switched = Run("r-rome", edits);
        switched = switched with { Settings = switched.Settings with { MethodSettings = new JsonObject { ["hparams"] = new JsonObject { ["ResidualValue"] = 1 } } } };
        Assert.That(RomeDiagnosisSection.Render(switched), Does.Contain("Diagnosis run").And.Contain("unprefixed prompt's value v_s"));
        Assert.That(RomeDiagnosisSection.Render(Run("r-rome", edits)), Does.Not.Contain("Diagnosis run"));
    }

    [Test]
    public void The_histogram_counts_every_denominator_once()
    {
        double[] values = [1, 2, 3, 10, 10, 50, 100];
        var outline = HistogramSteps.Outline(values, 1, 100, 4, logBins: true);
        Assert.That(HistogramSteps.Counts(outline), Is.EqualTo(new[] { 3, 0, 2, 2 }), "bins 1–3.16, 3.16–10, 10–31.6, 31.6–100");
        Assert.That(outline[0].X, Is.EqualTo(1).Within(1e-12));
        Assert.That(outline[^1].X, Is.EqualTo(100).Within(1e-9));
    }

    [Test]
    public void The_report_adds_the_section_only_for_rome_modes_whose_journal_has_the_figures()
    {
        var edits = Enumerable.Range(0, 20).Select(Edit).ToList();
        var old = edits.Select(e => e with { MethodFigures = new Dictionary<string, double> { ["denominator"] = 1 } }).ToList();
        string html = RunReport.Render([Run("rome", edits), Run("r-rome", old), Run("mend", edits)]);
        Assert.That(Regex.Matches(html, "<h3>").Count, Is.EqualTo(1));
        Assert.That(html, Does.Contain("<h3>rome (rome)</h3>"));
        Assert.That(RomeDiagnosisSection.BlockSize(Run("rome", edits, evalEvery: 100)), Is.EqualTo(2), "no evaluation interval fits: tenths");
    }
}
