using System.CommandLine;
using RawEdit.Models.Tokenization;

namespace RawEdit.Cli.Commands;

/// <summary>
/// <c>rawedit tokenize [--file F] [--special-tokens]</c>: one JSON array of GPT-2 token ids per input line. A literal
/// "&lt;|endoftext|&gt;" is plain text, as in GPT-2's encoder, unless <c>--special-tokens</c> says it is the marker.
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file") { Description = "Read lines from this UTF-8 file instead of standard input" };
        var special = new Option<bool>("--special-tokens")
        {
            Description = "Map a literal <|endoftext|> in the text to its id (50256); without it, it is plain text as in GPT-2's encoder",
        };
        var command = new Command("tokenize", "Print the GPT-2 token ids of each input line as a JSON array") { file, special };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string? path = parse.GetValue(file);
            if (path is not null && !File.Exists(path)) throw new FileNotFoundException($"input file not found: {path}");
            using var reader = path is null ? Console.In : new StreamReader(path, System.Text.Encoding.UTF8);
            var tokenizer = Gpt2Tokenizer.Default;
            Func<string, int[]> encode = parse.GetValue(special) ? tokenizer.EncodeWithSpecialTokens : tokenizer.Encode;
            var output = Console.Out;
            while (reader.ReadLine() is { } line)
                output.WriteLine("[" + string.Join(",", encode(line)) + "]");
            return 0;
        }));
        return command;
    }
}
