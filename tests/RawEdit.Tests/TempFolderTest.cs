namespace RawEdit.Tests;

/// <summary>A fresh temporary folder per test, deleted afterwards, and the one-layer HF fixture the CLI tests edit.</summary>
internal abstract class TempFolderTest
{
    protected string temp = "";

    protected static readonly string Fixture = TestPaths.Fixture("fixtures/hf-tiny-gpt2");

    [SetUp]
    public void CreateTemp() => temp = Directory.CreateTempSubdirectory("rawedit-cli-").FullName;

    [TearDown]
    public void DeleteTemp() => Directory.Delete(temp, true);

    protected string Write(string name, string text)
    {
        string path = Path.Combine(temp, name);
        File.WriteAllText(path, text);
        return path;
    }
}
