using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RawEdit.Evaluation.Downstream;
using RawEdit.Evaluation.Reports;
using RawEdit.Evaluation.Sequential;

namespace RawEdit.Tests.Evaluation.Sequential;

[TestFixture]
internal class RunReportTests
{
    private const string Weight = "transformer.h.0.mlp.c_proj.weight";

    private static EditEntry Edit(int i, double magnitude, double entropy, GuardVerdict? guard = null, bool applied = true) => new(
        i, $"c{i}", $"prompt {i}", "target", applied, guard, [], new Dictionary<string, double>(),
        new EditMeasurement(1, 0.5, double.NaN, true, new Dictionary<string, double> { [Weight] = magnitude },
            new Dictionary<string, double> { [Weight] = magnitude * (i + 1) }, 3, entropy, 4, [$"probe <text> {i}"]),
        "hash", 0.5, 1.0);

    private static RunData Run(string method, IReadOnlyList<EditEntry> edits)
    {
        var glue = new Dictionary<string, ClassificationScores> { ["sst2"] = ClassificationScores.Compute([1, 0], [1, -1]) };
        var evaluations = new[] { 0, 2, 4 }.Select(n => new EvaluationEntry(n,
            n == 0 ? null : new ForgettingScores(n, 90, 80, 70, n, n - 1, 1, [.. Enumerable.Range(0, n)], [.. Enumerable.Repeat(1.0, n)], [.. Enumerable.Repeat(true, n)]),
            glue, 1)).ToList();
        var settings = new RunSettings
        {
            Model = "m", ModelSha256 = "x", Method = method, Data = "/d/cf.json", DataSha256 = "y", Edits = 5, EvalEvery = 2,
            MethodSettings = new JsonObject(), Guard = new GuardOptions(GuardMode.Refuse),
        };
        return new RunData("/runs/" + method, settings, edits, evaluations);
    }

    [Test]
    public void The_page_is_self_contained_with_well_formed_charts_and_lists_what_the_guard_caught()
    {
        var rome = Run("rome", [Edit(0, 1e-4, 0.9), Edit(1, 2e-4, 0.92), Edit(2, 5e-2, 0.1, new GuardVerdict(true, "|Δ| is 300.0× the median", 300, 0.1), applied: false),
            Edit(3, 1.5e-4, 0.9), Edit(4, 1e-4, 0.95)]);
        var rrome = Run("r-rome", [Edit(0, 1e-4, 0.9), Edit(1, 1.1e-4, 0.93)]);
        string html = RunReport.Render([rome, rrome]);

        Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("src=").And.Not.Contain("href="), "no external resources");
        var charts = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        Assert.That(charts, Has.Count.EqualTo(12));
        foreach (var svg in charts)
        {
            var doc = XDocument.Parse(svg);
            Assert.That(doc.Descendants().SelectMany(e => e.Attributes()).Select(a => a.Value), Has.None.Contains("NaN").And.None.Contains("Infinity"));
        }
        var magnitude = charts.First(c => c.Contains("|Δ| of each edit"));
        Assert.That(magnitude, Does.Contain(">1e-4<").And.Contain(">1e-1<"), "log axis spans the decades of the data");
        Assert.That(html, Does.Contain("refused").And.Contain("300.0&#215; the median"));
        Assert.That(html, Does.Contain("probe &lt;text&gt; 2"), "texts are escaped");
        Assert.That(html, Does.Not.Contain("NaN"), "missing values show as a dash");
        Assert.That(html, Does.Contain("5.00E-2 (#3)"), "the summary names the largest edit");
    }

    [Test]
    public void A_trace_given_to_the_report_adds_its_average_charts_and_peak_layer()
    {
        var average = new RawEdit.Evaluation.Tracing.TraceAverage(2);
        average.Add(Tracing.CausalTraceBehaviourTests.Synthetic(0.4));
        var run = Run("rome", [Edit(0, 1e-4, 0.9)]);
        string without = RunReport.Render([run]), with = RunReport.Render([run], ("small-world", average));
        int charts(string html) => Regex.Matches(html, "<svg").Count;
        Assert.That(charts(with) - charts(without), Is.EqualTo(3), "one chart per trace kind");
        Assert.That(with, Does.Contain("Causal trace of <code>small-world</code>").And.Contain("last subject token: layer 1"));
        Assert.That(without, Does.Not.Contain("Causal trace"));
    }

    [Test]
    public void An_edit_forgotten_once_stays_counted_in_the_studys_cumulative_figure()
    {
        var edits = Enumerable.Range(0, 4).Select(i => Edit(i, 1e-4, 0.9)).ToList();
        ForgettingScores Scores(int n, params bool[] correct) =>
            new(n, 0, 0, 0, n, correct.Count(c => c), correct.Count(c => !c), [.. Enumerable.Range(0, n)], [.. correct.Select(c => c ? 1.0 : 0.0)], correct);
        var run = Run("rome", edits) with
        {
            Evaluations = [new EvaluationEntry(2, Scores(2, false, true), null, 1), new EvaluationEntry(4, Scores(4, true, true, true, true), null, 1)],
        };
        Assert.That(run.EverForgotten(), Is.EqualTo(new[] { (2.0, 50.0), (4.0, 25.0) }), "edit 0 recovered but was forgotten once");
    }

    [Test]
    public void Ticks_are_round_and_cover_the_range()
    {
        Assert.That(SvgChart.Ticks(0, 1), Is.EqualTo(new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 }).Within(1e-12));
        Assert.That(SvgChart.Ticks(1, 1000), Is.EqualTo(new double[] { 200, 400, 600, 800, 1000 }));
    }
}
