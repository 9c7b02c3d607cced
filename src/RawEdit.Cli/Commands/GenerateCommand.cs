using System.CommandLine;
using RawEdit.Models;
using RawEdit.Models.Generation;

namespace RawEdit.Cli.Commands;

/// <summary><c>rawedit generate --model M --prompt P [--max-tokens N] [--top-k K] [--seed S]</c>.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = CommonOptions.Prompt();
        var maxTokens = new Option<int>("--max-tokens") { Description = "New tokens to generate", DefaultValueFactory = _ => 20 };
        var topK = new Option<int>("--top-k") { Description = "Sample from the k most likely tokens (1 = greedy)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Random seed for top-k sampling", DefaultValueFactory = _ => 0 };
        var command = new Command("generate", "Continue a prompt (greedy or top-k sampling)") { model, prompt, maxTokens, topK, seed };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var ids = PromptIds.Encode(loaded, parse.GetValue(prompt)!);
            var options = new GenerationOptions(parse.GetValue(maxTokens), parse.GetValue(topK), parse.GetValue(seed));
            var generated = TextGenerator.Generate(loaded.Model, [ids], options)[0];
            Console.Out.WriteLine(parse.GetValue(prompt) + loaded.Tokenizer.Decode(generated));
            return 0;
        }));
        return command;
    }
}
