using System.Text;
using System.Text.Json.Nodes;
using RawEdit.Evaluation.Sequential;

namespace RawEdit.Tests.Evaluation.Sequential;

[TestFixture]
internal class EditJournalTests
{
    private string path = "";

    [SetUp]
    public void CreateTemp() => path = Path.Combine(Directory.CreateTempSubdirectory("rawedit-journal-").FullName, "journal.jsonl");

    [TearDown]
    public void DeleteTemp() => Directory.Delete(Path.GetDirectoryName(path)!, true);

    private void WriteThree()
    {
        using var journal = EditJournal.Open(path, out var records, out _);
        Assert.That(records, Is.Empty);
        for (int i = 0; i < 3; i++) journal.Append(new JsonObject { ["kind"] = "edit", ["index"] = i });
    }

    [Test]
    public void Records_read_back_in_order_and_appending_continues_after_them()
    {
        WriteThree();
        using (var journal = EditJournal.Open(path, out var records, out bool torn))
        {
            Assert.That(records.Select(r => (int)r["index"]!), Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(torn, Is.False);
            journal.Append(new JsonObject { ["index"] = 3 });
        }
        Assert.That(EditJournal.Read(path).Records, Has.Count.EqualTo(4));
    }

    [TestCase("{\"kind\":\"edit\",\"ind")]                       // killed mid-write: no newline
    [TestCase("{\"kind\":\"edit\",\"index\":3}\t0000000000000000\n")] // whole line, wrong checksum
    public void A_torn_last_record_is_dropped_and_cut_from_the_file(string tail)
    {
        WriteThree();
        long good = new FileInfo(path).Length;
        File.AppendAllText(path, tail);
        using (EditJournal.Open(path, out var records, out bool torn))
        {
            Assert.That(records, Has.Count.EqualTo(3));
            Assert.That(torn, Is.True);
        }
        Assert.That(new FileInfo(path).Length, Is.EqualTo(good));
    }

    [Test]
    public void A_damaged_record_before_others_is_refused_naming_its_line()
    {
        WriteThree();
        var lines = File.ReadAllLines(path);
        lines[1] = lines[1].Replace("\"index\":1", "\"index\":7");
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        var e = Assert.Throws<InvalidDataException>(() => EditJournal.Open(path, out _, out _).Dispose());
        Assert.That(e!.Message, Does.Contain("line 2"));
    }
}
