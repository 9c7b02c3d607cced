using System.Diagnostics;
using System.Text.Json.Nodes;
using RawEdit.Editing.Mend;
using RawEdit.Evaluation.Sequential;
using RawEdit.Models;
using RawEdit.Tensors;
using RawEdit.Tests.Cli;

namespace RawEdit.Tests.Evaluation.Sequential;

/// <summary>
/// rawedit sequential as a user runs it: a run killed part-way and resumed ends with the same weights, byte for
/// byte, as a run that was never interrupted. Uses the 1-layer Hugging Face fixture with a short value
/// optimisation so that the whole test takes seconds.
/// </summary>
[TestFixture]
internal class SequentialResumeTests : TempFolderTest
{
    // Enough edits that a signal sent after the 3rd or 4th lands part-way even when each edit takes 0.1 s.
    private const int Edits = 24;

    private string[] Args(string run)
    {
        string hparams = Path.Combine(temp, "hparams.json");
        if (!File.Exists(hparams))
            File.WriteAllText(hparams, """
                {"layers": [0], "v_num_grad_steps": 4, "v_lr": 0.5, "v_weight_decay": 0.005, "clamp_norm_factor": 4,
                 "kl_factor": 0.0625, "mom2_adjustment": false, "context_template_length_params": [[5, 2]]}
                """);
        return ["sequential", "--model", Fixture, "--method", "rome", "--data", TestPaths.InRepo("weights/tiny-world/counterfact.json"),
            "--edits", Edits.ToString(), "--eval-every", "6", "--out", run, "--hparams", hparams, "--probe-prompts", "2", "--probe-tokens", "4"];
    }

    [Test]
    public void A_run_killed_part_way_and_resumed_ends_with_the_weights_of_an_uninterrupted_run_byte_for_byte()
    {
        string whole = Path.Combine(temp, "whole"), killed = Path.Combine(temp, "killed");
        var uninterrupted = CliTests.Run("", Args(whole));
        Assert.That(uninterrupted.Code, Is.Zero, uninterrupted.Err + uninterrupted.Out);

        int editsAtKill = RunAndKill(Args(killed), Path.Combine(killed, SequentialRunner.JournalFile), killAfterEdits: 4);
        Assert.That(editsAtKill, Is.InRange(4, Edits - 1), "the child must be killed part-way");
        Assert.That(Directory.Exists(Path.Combine(killed, SequentialRunner.ModelFolder)), Is.False);
        // As if the kill had landed mid-append: a torn record that resume must drop.
        File.AppendAllText(Path.Combine(killed, SequentialRunner.JournalFile), "{\"kind\":\"edit\",\"index\":");

        var resumed = CliTests.Run("", [.. Args(killed), "--resume"]);
        Assert.That(resumed.Code, Is.Zero, resumed.Err + resumed.Out);
        Assert.That(resumed.Out, Does.Contain("torn last record was dropped"));

        byte[] expected = File.ReadAllBytes(Path.Combine(whole, SequentialRunner.ModelFolder, "model.safetensors"));
        byte[] actual = File.ReadAllBytes(Path.Combine(killed, SequentialRunner.ModelFolder, "model.safetensors"));
        Assert.That(actual, Is.EqualTo(expected), "resumed weights differ from the uninterrupted run's");
        var a = Fingerprints(whole);
        Assert.That(Fingerprints(killed), Is.EqualTo(a));
        Assert.That(a, Has.Count.EqualTo(Edits));
        Assert.That(a.Distinct().Count(), Is.EqualTo(Edits), "every edit changes the weights");
        Assert.That(File.ReadAllBytes(Path.Combine(Fixture, "model.safetensors")), Has.Length.GreaterThan(0));
    }

    private static readonly string DefaultModel = TestPaths.InRepo("weights/tiny-world");

    /// <summary>
    /// MEMIT (its default-model hparams with a short z optimisation, one context template, the shipped statistics) or MEND on the
    /// default model: 3 MEMIT edits (each takes over 0.3 s), 4 MEND edits (over 0.1 s), so that a kill after the first lands part-way.
    /// </summary>
    private string[] DefaultModelArgs(string method, string run, params string[] methodArgs) =>
        ["sequential", "--model", DefaultModel, "--method", method, "--data", FirstCases(),
            "--edits", EditsOf(method).ToString(), "--eval-every", "3", "--out", run, "--probe-prompts", "2", "--probe-tokens", "2", .. methodArgs];

    private static int EditsOf(string method) => method == "mend" ? 4 : 3;

    /// <summary>MEMIT's short settings; EMMET reads them as they are (w = 200), AlphaEdit with the default model's threshold added.</summary>
    private string[] MemitArgs(string method = "memit") =>
    [
        "--hparams", Write($"{method}.json",
            """{"layers": [0, 1], "v_loss_layer": 3, "v_num_grad_steps": 4, "clamp_norm_factor": 4, "mom2_update_weight": 200, "mom2_n_samples": 20000""" +
            (method == "alphaedit" ? """, "nullspace_threshold": 0.5}""" : "}")),
        "--templates", Write("templates.json", """["{}"]"""),
    ];

    /// <summary>The default model's first twelve edit cases as a data file (written once per test).</summary>
    private string FirstCases()
    {
        string path = Path.Combine(temp, "cases.json");
        if (File.Exists(path)) return path;
        var all = JsonNode.Parse(File.ReadAllText(TestPaths.InRepo("weights/tiny-world/counterfact.json")))!.AsArray();
        return Write("cases.json", new JsonArray(all.Take(12).Select(c => c!.DeepClone()).ToArray()).ToJsonString());
    }

    /// <summary>A MEND editor for the default model, trained on two of its first twelve cases.</summary>
    private string TrainEditor()
    {
        string cases = FirstCases();
        string hparams = Write("mend.json", """{"rank": 8, "accumulate_bs": 1, "val_every": 2, "val_steps": 1, "max_iters": 2}""");
        string editor = Path.Combine(temp, "editor");
        var trained = CliTests.Run("", "mend-train", "--model", DefaultModel, "--data", cases, "--val", cases, "--out", editor, "--hparams", hparams, "--eval-limit", "0");
        Assert.That(trained.Code, Is.Zero, trained.Err + trained.Out);
        return editor;
    }

    /// <summary>The editor with its edit steps α doubled, saved elsewhere.</summary>
    private string ChangedEditor(string editorPath)
    {
        var model = ModelLocator.Load(DefaultModel).Model;
        var editor = MendEditorFile.Load(editorPath, model);
        editor.EditLearningRates.CopyFrom(Tensor.FromArray(editor.EditLearningRates.ToFloatArray().Select(a => 2 * a).ToArray(), editor.EditLearningRates.Shape));
        string changed = Path.Combine(temp, "changed-editor");
        Directory.CreateDirectory(changed);
        MendEditorFile.Save(editor, model, Path.Combine(changed, MendEditorFile.EditorFileName));
        return changed;
    }

    /// <summary>AlphaEdit's resume also restores K_pK_pᵀ: the edit after the kill depends on the journaled keys of the ones before it.</summary>
    [TestCase("memit")]
    [TestCase("emmet")]
    [TestCase("alphaedit")]
    [TestCase("mend")]
    public void A_memit_family_or_mend_run_killed_after_its_first_edit_and_resumed_ends_with_the_weights_of_an_uninterrupted_run(string method)
    {
        string editor = method == "mend" ? TrainEditor() : "";
        string[] MethodArgs(string editorPath) => method == "mend" ? ["--editor", editorPath] : MemitArgs(method);
        string whole = Path.Combine(temp, "whole"), killed = Path.Combine(temp, "killed");
        var uninterrupted = CliTests.Run("", DefaultModelArgs(method, whole, MethodArgs(editor)));
        Assert.That(uninterrupted.Code, Is.Zero, uninterrupted.Err + uninterrupted.Out);

        int editsAtKill = RunAndKill(DefaultModelArgs(method, killed, MethodArgs(editor)), Path.Combine(killed, SequentialRunner.JournalFile), killAfterEdits: 1);
        Assert.That(editsAtKill, Is.InRange(1, EditsOf(method) - 1), "the child must be killed part-way");

        // MEND resumes from a copy of the editor elsewhere: the editor's hash, not its path, identifies it.
        string moved = editor;
        if (method == "mend")
        {
            moved = Path.Combine(temp, "moved-editor");
            Directory.CreateDirectory(moved);
            File.Copy(Path.Combine(editor, "editor.safetensors"), Path.Combine(moved, "editor.safetensors"));
            var changed = CliTests.Run("", [.. DefaultModelArgs(method, killed, MethodArgs(ChangedEditor(editor))), "--resume"]);
            Assert.That(changed.Code, Is.EqualTo(1));
            Assert.That(changed.Err, Does.Contain("'method_settings' differs"));
        }
        var resumed = CliTests.Run("", [.. DefaultModelArgs(method, killed, MethodArgs(moved)), "--resume"]);
        Assert.That(resumed.Code, Is.Zero, resumed.Err + resumed.Out);
        Assert.That(resumed.Out, Does.Contain($"replayed {editsAtKill} journaled edits"));

        byte[] expected = File.ReadAllBytes(Path.Combine(whole, SequentialRunner.ModelFolder, "model.safetensors"));
        Assert.That(File.ReadAllBytes(Path.Combine(killed, SequentialRunner.ModelFolder, "model.safetensors")), Is.EqualTo(expected),
            "resumed weights differ from the uninterrupted run's");
        var fingerprints = Fingerprints(whole);
        Assert.That(Fingerprints(killed), Is.EqualTo(fingerprints));
        Assert.That(fingerprints.Distinct().Count(), Is.EqualTo(EditsOf(method)), "every edit changes the weights");
        var edits = JournalEntries.Parse(EditJournal.Read(Path.Combine(whole, SequentialRunner.JournalFile)).Records, whole).Edits;
        // MEMIT, EMMET, AlphaEdit: one term per edited layer; MEND: one per kept token row of each of its six matrices (under 16 rows: the prompt + target tokens).
        bool memitFamily = method != "mend";
        Assert.That(edits.Select(e => e.Terms.Count), memitFamily ? Is.All.EqualTo(2) : Is.All.InRange(6, 6 * 16));
        Assert.That(edits.Select(e => e.Terms.Select(t => t.Weight).Distinct().Count()), Is.All.EqualTo(memitFamily ? 2 : 6));
        // Only AlphaEdit journals preserved keys (one per layer), and each edit saw the keys of all the edits before it.
        Assert.That(edits.Select(e => e.PreservedKeys?.Count ?? 0), Is.All.EqualTo(method == "alphaedit" ? 2 : 0));
        if (method == "alphaedit")
            Assert.That(edits.Select(e => e.MethodFigures["preserved_keys_layer_1"]), Is.EqualTo(Enumerable.Range(0, EditsOf(method)).Select(i => (double)i)));
    }

    [Test]
    public void Report_renders_a_run_resume_refuses_other_settings_and_a_new_run_refuses_an_existing_one()
    {
        string run = Path.Combine(temp, "run");
        var first = CliTests.Run("", [.. Args(run).Select(a => a == Edits.ToString() ? "2" : a)]);
        Assert.That(first.Code, Is.Zero, first.Err);
        var report = CliTests.Run("", "report", run);
        Assert.That(report.Code, Is.Zero, report.Err);
        Assert.That(File.ReadAllText(Path.Combine(run, "report.html")), Does.Contain("<svg").And.Contain("Sequential editing report"));
        var again = CliTests.Run("", Args(run));
        Assert.That(again.Err, Does.Contain("already holds a run"));
        var other = CliTests.Run("", [.. Args(run).Select(a => a == "rome" ? "r-rome" : a), "--resume"]);
        Assert.That(other.Code, Is.Not.Zero);
        Assert.That(other.Err, Does.Contain("'method' differs"));
        var inside = CliTests.Run("", [.. Args(run).Select(a => a == run ? Path.Combine(Fixture, "run") : a)]);
        Assert.That(inside.Err, Does.Contain("never write their input model"));
    }

    [Test]
    public void Ctrl_c_stops_after_the_current_edit_with_a_whole_journal_and_resume_finishes_the_run()
    {
        if (SigIntIgnored())
            Assert.Ignore("SIGINT is ignored in this process (a shell's background job, `cmd &`, ignores it and exec keeps that), so no child can receive Ctrl-C");
        string run = Path.Combine(temp, "interrupted");
        var (code, output, editsAtStop) = RunAndInterrupt(Args(run), Path.Combine(run, SequentialRunner.JournalFile), afterEdits: 2);
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain($"stopped after {editsAtStop} of {Edits} edits"));
        Assert.That(editsAtStop, Is.InRange(2, Edits - 1));
        var journal = EditJournal.Read(Path.Combine(run, SequentialRunner.JournalFile));
        Assert.That(journal.Torn, Is.False, "the stop waits for the record of the current edit");
        Assert.That(Directory.Exists(Path.Combine(run, SequentialRunner.ModelFolder)), Is.False);

        var resumed = CliTests.Run("", [.. Args(run), "--resume"]);
        Assert.That(resumed.Code, Is.Zero, resumed.Err);
        Assert.That(resumed.Out, Does.Contain($"replayed {editsAtStop} journaled edits").And.Contain($"done: {Edits} edits"));
    }

    /// <summary>Whether SIGINT is ignored here (Linux: bit 2 of SigIgn in /proc/self/status); a child would inherit it.</summary>
    private static bool SigIntIgnored() =>
        File.Exists("/proc/self/status") && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:")) is { } line &&
        (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;

    /// <summary>Starts rawedit, sends SIGINT (Ctrl-C) once the journal holds afterEdits edits, and waits for it to stop by itself.</summary>
    private static (int Code, string Output, int Edits) RunAndInterrupt(string[] args, string journal, int afterEdits)
    {
        using var process = Start(args, out var output);
        WaitForEdits(process, journal, afterEdits);
        // Signalled directly (no `kill` child process to start): on a loaded machine starting one took longer than the
        // run's remaining edits, and the run finished before the signal arrived.
        Assert.That(SendSignal(process.Id, SigInt), Is.Zero, "kill(2) with SIGINT");
        if (!process.WaitForExit(120_000)) { process.Kill(true); Assert.Fail("rawedit did not stop after Ctrl-C"); }
        process.WaitForExit();
        return (process.ExitCode, output.ToString(), EditRecords(journal));
    }

    private static List<string> Fingerprints(string run) =>
        JournalEntries.Parse(EditJournal.Read(Path.Combine(run, SequentialRunner.JournalFile)).Records, run).Edits.Select(e => e.WeightsSha256).ToList();

    /// <summary>Starts rawedit, kills it once the journal holds killAfterEdits edit records, and returns how many it held then.</summary>
    private static int RunAndKill(string[] args, string journal, int killAfterEdits)
    {
        using var process = Start(args, out _);
        WaitForEdits(process, journal, killAfterEdits);
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return EditRecords(journal);
    }

    /// <summary>rawedit as a child process (the executable itself, so that a signal reaches it), its stdout collected.</summary>
    private static Process Start(string[] args, out System.Text.StringBuilder output)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "rawedit")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var collected = output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (collected) collected.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static void WaitForEdits(Process process, string journal, int edits)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120) && EditRecords(journal) < edits) Thread.Sleep(2);
    }

    private static int EditRecords(string journal) =>
        File.Exists(journal) ? EditJournal.Read(journal).Records.Count(r => (string?)r["kind"] == "edit") : 0;
}
