using System.CommandLine;
using RawEdit.Cli.Commands;
using RawEdit.Models;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu;

namespace RawEdit.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("RawEdit: edit the facts stored inside GPT-style language models, in C#.")
        {
            DemoCommand.Create(),
            TokenizeCommand.Create(),
            GenerateCommand.Create(),
            LogitsCommand.Create(),
            TrainCommand.Create(),
            EvalCommand.Create(),
            StatsCommand.Create(),
            EditCommand.Create(),
            MendTrainCommand.Create(),
            MendEvalCommand.Create(),
            SequentialCommand.Create(),
            ReportCommand.Create(),
            KernelsCommand.Create(),
            TraceCommand.Create(),
        };
        VersionLine.Install(root);
        // The default model ships inside this assembly (the .NET tool and the single-file binary have no weights/ folder).
        ModelLocator.AddEmbeddedWeights(typeof(Program).Assembly);
        var device = new Option<string>("--device")
        {
            Description = $"Where models run: cpu, cuda (the first GPU, through ILGPU; an error if none is usable), ilgpu-cpu (the GPU kernels on ILGPU's CPU accelerator: slow, for checking) or auto; default ${DeviceSelection.Variable} or cpu",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DeviceSelection.Variable) is { Length: > 0 } v ? v : "cpu",
        };
        device.AcceptOnlyFromAmong(DeviceSelection.Choices);
        root.Options.Add(device);
        var parse = root.Parse(args);
        if (parse.Errors.Count == 0)
        {
            int failed = CliErrors.Run(() =>
            {
                Backends.ProcessDefault = DeviceSelection.Resolve(parse.GetValue(device)!);
                return 0;
            });
            if (failed != 0) return failed;
        }
        return parse.Invoke();
    }
}
