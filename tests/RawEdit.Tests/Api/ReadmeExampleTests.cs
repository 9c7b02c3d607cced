using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RawEdit.Tests.Api;

/// <summary>
/// The README's "Use from C#" program, compiled with Roslyn as an assembly that is not a friend of the libraries (so it
/// sees exactly their public surface, as a NuGet user does) and run: a README example that stops compiling or running
/// fails here.
/// </summary>
[NonParallelizable]   // the program prints to Console and writes into the current directory
internal sealed class ReadmeExampleTests
{
    /// <summary>What a new console project's ImplicitUsings put in scope (Microsoft.NET.Sdk).</summary>
    private const string ImplicitUsings =
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    [Test]
    public void The_readme_csharp_example_compiles_against_the_public_api_and_runs()
    {
        string source = ExampleFromReadme();
        var assembly = Compile(source);
        string folder = Directory.CreateTempSubdirectory("rawedit-readme-").FullName;
        string output;
        var previousDirectory = Environment.CurrentDirectory;
        var previousOut = Console.Out;
        var captured = new StringWriter();
        try
        {
            Environment.CurrentDirectory = folder;
            Console.SetOut(TextWriter.Synchronized(captured));
            assembly.EntryPoint!.Invoke(null, [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousDirectory;
        }
        output = captured.ToString();
        TestContext.Out.WriteLine(output);
        try
        {
            Assert.That(output, Does.Contain("before: ").And.Contain("after:  "));
            Assert.That(output, Does.Match(@"r-ROME: ES 100\b"), "the r-ROME edit of the example's fact succeeds");
            Assert.That(output, Does.Match(@"MEMIT:  ES \d+"));
            Assert.That(output, Does.Match(@"MEND:   ES \d+"));
            Assert.That(output, Does.Match(@"saved: update kept to \d"), "the save reports its precision");
            Assert.That(output, Does.Match(@"P\(target\) in memory 0\.\d{3}, as saved 0\.\d{3}"), "the saved model is re-scored");
            Assert.That(File.Exists(Path.Combine(folder, "tiny-world-edited", "model.safetensors")), "the edited model was saved");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Internal_types_are_out_of_reach_of_a_library_user()
    {
        // The same compilation sees the public API only: a program reaching for an internal type does not compile.
        var errors = Diagnose("using RawEdit.Tensors; var t = Tensor.Zeros(3);");
        Assert.That(errors, Has.Some.Contains("CS0122").Or.Some.Contains("CS0103").Or.Some.Contains("CS0246"));
    }

    private static string ExampleFromReadme()
    {
        string readme = File.ReadAllText(TestPaths.InRepo("README.md"));
        int section = readme.IndexOf("## Use from C#", StringComparison.Ordinal);
        Assert.That(section, Is.GreaterThanOrEqualTo(0), "README has a \"Use from C#\" section");
        var block = Regex.Match(readme[section..], @"```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.That(block.Success, "the section has a ```csharp block");
        return block.Groups[1].Value;
    }

    private static CSharpCompilation Compilation(string source) => CSharpCompilation.Create("ReadmeExample",
        [CSharpSyntaxTree.ParseText(ImplicitUsings), CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
        References(), new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The runtime's assemblies and RawEdit's libraries, as a project referencing the packages gets them.</summary>
    private static IEnumerable<MetadataReference> References()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths.Where(p => Path.GetDirectoryName(p) == Path.GetDirectoryName(typeof(object).Assembly.Location)
                                || Path.GetFileName(p).StartsWith("RawEdit.", StringComparison.Ordinal) && !p.EndsWith("RawEdit.Tests.dll"))
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    private static Assembly Compile(string source)
    {
        using var image = new MemoryStream();
        var result = Compilation(source).Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.That(errors, Is.Empty, "the README example compiles");
        return Assembly.Load(image.ToArray());
    }

    private static List<string> Diagnose(string source) =>
        Compilation(source).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
}
