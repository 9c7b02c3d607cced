using System.Diagnostics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tests.Models.Tokenization;

namespace RawEdit.Tests.Cli;

/// <summary>The rawedit command as a user runs it: a separate process, stdout, stderr and exit code.</summary>
[TestFixture]
internal class CliTests
{
    private static readonly string Fixture = TestPaths.Fixture("fixtures/hf-tiny-gpt2");

    public static (int Code, string Out, string Err) Run(string stdin, params string[] args) => RunWith(new Dictionary<string, string>(), stdin, args);

    /// <summary>Like <see cref="Run"/>, with extra environment variables for the child process.</summary>
    public static (int Code, string Out, string Err) RunWith(IReadOnlyDictionary<string, string> environment, string stdin, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "rawedit.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) info.Environment[name] = value;
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(); Assert.Fail("rawedit did not finish"); }
        return (process.ExitCode, output.Result, error.Result);
    }

    [Test]
    public void Tokenize_prints_one_json_array_per_line()
    {
        var (code, output, _) = Run("Hello world\n Paris\n", "tokenize");
        Assert.That(code, Is.Zero);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "[15496,995]", "[6342]" }));
    }

    /// <summary>
    /// The whole oracle sample through the command, compared with the recorded ids. The command reads lines as
    /// TextReader.ReadLine does (\r, \n or \r\n end a line), so the one sample line that holds a lone \r is left out.
    /// </summary>
    [Test]
    public void Tokenize_gives_the_reference_encoders_ids_on_the_oracle_sample()
    {
        var cases = OracleFixture.Lines.Zip(OracleFixture.ExpectedIds).Where(c => !c.First.Contains('\r')).ToList();
        string input = Path.Combine(Path.GetTempPath(), $"rawedit-tokenize-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(input, string.Concat(cases.Select(c => c.First + "\n")));
            var (code, output, err) = Run("", "tokenize", "--file", input);
            Assert.That(code, Is.Zero, err);
            Assert.That(output.Split('\n')[..^1], Is.EqualTo(cases.Select(c => "[" + string.Join(",", c.Second) + "]")));
        }
        finally { File.Delete(input); }
    }

    [Test]
    public void Tokenize_treats_the_end_of_text_marker_as_text_unless_told_otherwise()
    {
        var tokenizer = Gpt2Tokenizer.Default;
        string Json(IEnumerable<int> ids) => "[" + string.Join(",", ids) + "]";

        var plain = Run("a<|endoftext|>b\n", "tokenize");
        var special = Run("a<|endoftext|>b\n", "tokenize", "--special-tokens");

        Assert.That(plain.Out.TrimEnd(), Is.EqualTo(Json(tokenizer.Encode("a<|endoftext|>b"))));
        Assert.That(special.Out.TrimEnd(), Is.EqualTo(Json(tokenizer.Encode("a").Append(50256).Concat(tokenizer.Encode("b")))));
    }

    [Test]
    public void Logits_saves_f32_logits_of_shape_tokens_by_vocab_equal_to_a_forward_pass()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rawedit-logits-{Guid.NewGuid():N}.safetensors");
        try
        {
            var (code, _, err) = Run("", "logits", "--model", Fixture, "--prompt", "The Eiffel Tower is located in", "--save", path);
            Assert.That(code, Is.Zero, err);
            using var file = SafetensorsFile.Open(path);
            var entry = file.GetEntry("logits");
            Assert.That(entry.DType, Is.EqualTo(TensorDType.F32));
            var loaded = ModelLocator.Load(Fixture);
            var ids = loaded.Tokenizer.Encode("The Eiffel Tower is located in");
            Assert.That(entry.Shape, Is.EqualTo(new long[] { ids.Length, 50257 }));
            using var _ = Tape.NoGrad();
            Assert.That(file.ReadAsFloat32("logits"), Is.EqualTo(loaded.Model.Forward(TokenBatch.Single(ids)).ToFloatArray()));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Generate_is_repeatable_with_a_seed()
    {
        string[] args = ["generate", "--model", Fixture, "--prompt", "Hello", "--max-tokens", "6", "--top-k", "5", "--seed", "4"];
        var first = Run("", args);
        Assert.That(first.Code, Is.Zero, first.Err);
        Assert.That(first.Out, Does.StartWith("Hello"));
        Assert.That(Run("", args).Out, Is.EqualTo(first.Out));
    }

    [TestCase("--model", "/no/such/model", "--prompt", "x", "--save", "/tmp/x.safetensors", ExpectedResult = "neither a folder nor a model")]
    [TestCase("--model", "FIXTURE", "--prompt", "", "--save", "/tmp/x.safetensors", ExpectedResult = "prompt is empty")]
    public string Bad_input_gives_one_clear_line_and_a_nonzero_exit(params string[] options)
    {
        var args = new[] { "logits" }.Concat(options.Select(o => o == "FIXTURE" ? Fixture : o)).ToArray();
        var (code, output, err) = Run("", args);
        Assert.That(code, Is.Not.Zero);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), err);
        Assert.That(lines[0], Does.StartWith("rawedit: error: "));
        return lines[0].Contains("neither a folder nor a model") ? "neither a folder nor a model" : lines[0].Contains("prompt is empty") ? "prompt is empty" : lines[0];
    }
}
