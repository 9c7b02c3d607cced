using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Editing;

[TestFixture]
internal class SecondMomentTests
{
    private static readonly Gpt2Model Model = Gpt2Checkpoint.Load(TestPaths.Goldens("gpt2-random")).Model;

    private static List<int[]> ReferenceSequences(out float[] expected)
    {
        using var file = SafetensorsFile.Open(Path.Combine(TestPaths.Goldens("rome-random"), "second_moment.safetensors"));
        expected = file.ReadAsFloat32("C");
        var ids = file.ReadAsInt64("input_ids");
        int length = (int)file.GetEntry("input_ids").Shape[1];
        return ids.Chunk(length).Select(row => row.Select(v => (int)v).ToArray()).ToList();
    }

    [Test]
    public void Collected_statistics_match_the_reference_second_moment()
    {
        var sequences = ReferenceSequences(out var expected);
        var moment = SecondMomentCollector.Compute(Model, layer: 1, sequences, maxDocuments: sequences.Count, tokensPerBatch: 300);
        Assert.That(moment.Tokens, Is.EqualTo(sequences.Sum(s => s.Length)));
        Assert.That(moment.Documents, Is.EqualTo(sequences.Count));
        Assert.That(Compare.RelativeError(moment.Matrix.Select(x => (float)x).ToArray(), expected), Is.LessThan(1e-5));
    }

    [Test]
    public void Batching_does_not_change_the_statistics_beyond_rounding()
    {
        var sequences = ReferenceSequences(out _);
        var small = SecondMomentCollector.Compute(Model, 1, sequences, sequences.Count, tokensPerBatch: 64);
        var large = SecondMomentCollector.Compute(Model, 1, sequences, sequences.Count, tokensPerBatch: 4096);
        Assert.That(Compare.RelativeError(small.Matrix.Select(x => (float)x).ToArray(), large.Matrix.Select(x => (float)x).ToArray()), Is.LessThan(1e-6));
    }

    [Test]
    public void Documents_of_mixed_lengths_batched_by_length_give_the_first_N_documents_statistics()
    {
        // Lengths 1..40 in a scrambled order, an empty document (skipped, not counted) and one longer than the context
        // (truncated); the first 30 non-empty documents must be used whatever order the batches take them in, with one
        // sorting window or several (7 documents each).
        var rng = new Random(3);
        var documents = Enumerable.Range(1, 40).OrderBy(_ => rng.Next()).Select(n => Enumerable.Range(0, n).Select(_ => rng.Next(1000)).ToArray()).ToList();
        documents.Insert(5, []);
        documents.Insert(9, Enumerable.Range(0, Model.MaxPositions + 7).Select(_ => rng.Next(1000)).ToArray());
        var chosen = documents.Where(d => d.Length > 0).Take(30).ToList();

        var oneByOne = chosen.Select(d => SecondMomentCollector.Compute(Model, 1, [d], 1)).ToList();
        long tokens = chosen.Sum(d => (long)Math.Min(d.Length, Model.MaxPositions));
        var expected = new double[oneByOne[0].Matrix.Length];
        foreach (var moment in oneByOne)
            for (int i = 0; i < expected.Length; i++) expected[i] += moment.Matrix[i] * moment.Tokens / tokens;

        foreach (int window in new[] { 4096, 7 })
        {
            var batched = SecondMomentCollector.Compute(Model, 1, documents, maxDocuments: 30, tokensPerBatch: 512, sortWindow: window);
            Assert.That(batched.Tokens, Is.EqualTo(tokens), $"window {window}");
            Assert.That(batched.Documents, Is.EqualTo(30), $"window {window}");
            Assert.That(Compare.RelativeError(batched.Matrix.Select(x => (float)x).ToArray(), expected.Select(x => (float)x).ToArray()), Is.LessThan(1e-5), $"window {window}");
        }
    }

    [Test]
    public void The_store_reuses_matching_statistics_and_refuses_a_file_made_for_something_else()
    {
        string root = Directory.CreateTempSubdirectory("rawedit-stats-").FullName;
        try
        {
            var sequences = ReferenceSequences(out _);
            var moment = SecondMomentCollector.Compute(Model, 1, sequences, 8);
            var key = new SecondMomentKey(new string('a', 64), 1, new string('b', 64), 8);
            SecondMomentStore.Save(root, key, moment);
            var loaded = SecondMomentStore.TryLoad(root, key)!;
            Assert.That(loaded.Matrix, Is.EqualTo(moment.Matrix));
            Assert.That(loaded.Tokens, Is.EqualTo(moment.Tokens));
            Assert.That(SecondMomentStore.TryLoad(root, key with { Samples = 9 }), Is.Null);
            // Same file name, other full corpus hash: the metadata check must refuse it.
            var impostor = key with { CorpusHash = new string('b', 16) + new string('c', 48) };
            Assert.Throws<InvalidDataException>(() => SecondMomentStore.TryLoad(root, impostor));
        }
        finally { Directory.Delete(root, true); }
    }

    [Test]
    public void Solving_with_the_statistics_inverts_them()
    {
        var sequences = ReferenceSequences(out _);
        var moment = SecondMomentCollector.Compute(Model, 1, sequences, sequences.Count);
        var x = Enumerable.Range(0, 512).Select(i => (float)Math.Sin(i)).ToArray();
        var solved = moment.Solve(x);
        for (int i = 0; i < 512; i += 37)
        {
            double row = 0;
            for (int j = 0; j < 512; j++) row += moment.Matrix[i * 512 + j] * solved[j];
            Assert.That(row, Is.EqualTo(x[i]).Within(1e-6 * (1 + Math.Abs(x[i]))), $"row {i}");
        }
    }
}

[TestFixture]
internal class ContextTemplateTests
{
    [Test]
    public void Templates_start_unprefixed_follow_the_length_parameters_and_repeat_with_a_seed()
    {
        var model = Gpt2Checkpoint.Load(TestPaths.Fixture("fixtures/hf-tiny-gpt2")).Model;
        var tokenizer = Gpt2Tokenizer.Default;
        int[][] lengths = [[5, 3], [10, 2]];
        var templates = ContextTemplates.Generate(model, tokenizer, lengths, seed: 1);
        Assert.That(templates, Has.Count.EqualTo(6));
        Assert.That(templates[0], Is.EqualTo("{}"));
        Assert.That(templates.Skip(1), Is.All.EndsWith(". {}"));
        Assert.That(templates.Skip(1).Select(t => t[..^4]), Is.All.Not.Contain("{").And.Not.Contain("}"));
        // Fresh model instance: no in-process cache, so equality means determinism, not caching.
        var again = ContextTemplates.Generate(Gpt2Checkpoint.Load(TestPaths.Fixture("fixtures/hf-tiny-gpt2")).Model, tokenizer, lengths, seed: 1);
        Assert.That(again, Is.EqualTo(templates));
    }

    [Test]
    public void Templates_load_from_a_file_and_bad_files_are_refused()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "[\"{}\", \"Hello. {}\"]");
            Assert.That(ContextTemplates.Load(path), Is.EqualTo(new[] { "{}", "Hello. {}" }));
            File.WriteAllText(path, "[\"Hello. {}\"]");
            Assert.That(Assert.Throws<InvalidDataException>(() => ContextTemplates.Load(path))!.Message, Does.Contain("first template"));
            File.WriteAllText(path, "[\"{}\", \"no placeholder\"]");
            Assert.Throws<InvalidDataException>(() => ContextTemplates.Load(path));
        }
        finally { File.Delete(path); }
    }
}
