using System.CommandLine;
using System.Diagnostics;
using RawEdit.Editing.Statistics;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary><c>rawedit stats --model M --layer L --corpus TEXT --samples N --out DIR</c>: second-moment statistics C = E[kkᵀ].</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var layer = new Option<int>("--layer") { Description = "Layer whose MLP keys to collect", Required = true };
        var corpus = new Option<string>("--corpus") { Description = "Text file (one document per line), or a training preset's world: 'tiny-world', 'small-world'", Required = true };
        var samples = new Option<int>("--samples") { Description = "Documents to use (mom2_n_samples)", Required = true };
        var output = new Option<string>("--out") { Description = "Statistics folder (a cache shared by runs)", Required = true };
        var command = new Command("stats", "Compute second-moment statistics of a layer's keys") { model, layer, corpus, samples, output };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var source = Corpora.Open(parse.GetValue(corpus)!, loaded.Tokenizer);
            int n = parse.GetValue(samples);
            if (n < 1) throw new ArgumentException("--samples must be at least 1");
            var key = new SecondMomentKey(ModelFingerprint.Compute(loaded.Model), parse.GetValue(layer), source.Hash, n);
            string root = parse.GetValue(output)!;
            if (SecondMomentStore.TryLoad(root, key) is { } cached)
            {
                Console.WriteLine($"up to date: {SecondMomentStore.PathOf(root, key)} ({cached.Documents} documents, {cached.Tokens} tokens)");
                return 0;
            }
            var moment = SecondMomentCollector.Compute(loaded.Model, key.Layer, source.Documents, n);
            string path = SecondMomentStore.Save(root, key, moment);
            Console.WriteLine($"wrote {path}: C [{moment.Dimension}×{moment.Dimension}] from {moment.Documents} documents, {moment.Tokens} tokens in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }
}
