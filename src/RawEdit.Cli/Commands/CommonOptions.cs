using System.CommandLine;

namespace RawEdit.Cli.Commands;

/// <summary>Options shared by several commands, spelled once.</summary>
internal static class CommonOptions
{
    public static Option<string> Model() => new("--model")
    {
        Description = "A Hugging Face model folder (config.json + model.safetensors) or the name of a model in weights/",
        Required = true,
    };

    public static Option<string> Prompt() => new("--prompt") { Description = "The text to continue or score", Required = true };
}
