using System.Diagnostics;
using RawEdit.Models;
using RawEdit.Models.Gpt2;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Benchmarks.Forward;

/// <summary>
/// Line protocol for benchmarks/forward/side_by_side.py, timing GPT-2 124M inference (random weights, no grad):
///   "setup B T" → builds a batch of B random sequences of T tokens, answers "ok";
///   "time N"    → runs N forward passes, answers the elapsed seconds;  "quit".
/// The model is built once (124M parameters) and reused for every shape.
/// </summary>
internal static class ForwardServer
{
    public static readonly Gpt2Config Gpt2Small = new() { VocabSize = 50257, Positions = 1024, Embedding = 768, Layers = 12, Heads = 12 };

    public static int Serve(TextReader input, TextWriter output)
    {
        var model = Gpt2Initializer.Random(Gpt2Small, seed: 1);
        TokenBatch? batch = null;
        return LineProtocol.Serve(input, output, new Dictionary<string, Func<string[], string>>
        {
            ["setup"] = words =>
            {
                int b = int.Parse(words[1]), t = int.Parse(words[2]);
                var rng = new SplitMix64(7);
                batch = new TokenBatch(Enumerable.Range(0, b).Select(_ => Enumerable.Range(0, t).Select(_ => rng.NextInt(50257)).ToArray()).ToList(), 50256);
                Time(model, batch, 1);
                return "ok";
            },
            ["time"] = words => Time(model, batch ?? throw new InvalidOperationException("setup first"), int.Parse(words[1])).ToString("R"),
        });
    }

    private static double Time(Gpt2Model model, TokenBatch batch, int calls)
    {
        using var _ = Tape.NoGrad();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) model.Forward(batch);
        return clock.Elapsed.TotalSeconds;
    }
}
