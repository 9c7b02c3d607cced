using System.Text.Json.Nodes;

namespace RawEdit.Tests.Cli;

/// <summary><c>rawedit trace</c> as a user runs it on the shipped tiny-world model.</summary>
[TestFixture]
internal class TraceCliTests : TempFolderTest
{
    [Test]
    public void One_prompt_prints_three_tables_and_writes_json_and_an_html_page_with_heat_maps()
    {
        string json = Path.Combine(temp, "trace.json"), html = Path.Combine(temp, "trace.html");
        var (code, output, error) = CliTests.Run("", "trace", "--model", "tiny-world", "--prompt", "The mother tongue of Kralor Yeimbon is",
            "--subject", "Kralor Yeimbon", "--samples", "2", "--window", "2", "--json", json, "--html", html);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("indirect effect (hidden)").And.Contain("indirect effect (mlp, window 2)").And.Contain("indirect effect (attn, window 2)"));
        Assert.That(output, Does.Contain("target ' Italian'"));
        var trace = JsonNode.Parse(File.ReadAllText(json))!["traces"]![0]!;
        Assert.That(trace["kinds"]!["mlp"]!["indirect_effect"]!.AsArray(), Has.Count.EqualTo(trace["tokens"]!.AsArray().Count));
        Assert.That(File.ReadAllText(html), Does.Contain("<svg").And.Contain("Impact of restoring MLP outputs"));
    }

    [TestCase("--prompt", "The mother tongue of Kralor Yeimbon is", "--subject", "Zed Quux", "does not occur")]
    [TestCase("--prompt", "The mother tongue of Kralor Yeimbon is", "--samples", "2", "--prompt needs --subject")]
    [TestCase("--samples", "2", "--window", "2", "give either --prompt")]
    [TestCase("--prompt", "The mother tongue of Kralor Yeimbon is", "--subject", "Kralor Yeimbon", "--samples", "0", "noise samples")]
    public void Bad_arguments_fail_with_a_message(params string[] argsAndMessage)
    {
        var args = new[] { "trace", "--model", "tiny-world" }.Concat(argsAndMessage[..^1]).ToArray();
        var (code, _, error) = CliTests.Run("", args);
        Assert.That(code, Is.Not.Zero);
        Assert.That(error, Does.Contain(argsAndMessage[^1]));
    }
}
