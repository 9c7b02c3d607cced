using System.CommandLine;
using RawEdit.Cli.Commands;

namespace RawEdit.Cli;

public static class Program
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
        };
        return root.Parse(args).Invoke();
    }
}
