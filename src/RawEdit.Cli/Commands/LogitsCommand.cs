using System.CommandLine;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Cli.Commands;

/// <summary><c>rawedit logits --model M --prompt P --save OUT.safetensors</c>: f32 <c>logits</c> [T, vocab].</summary>
internal static class LogitsCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var prompt = CommonOptions.Prompt();
        var save = new Option<string>("--save") { Description = "Output safetensors file", Required = true };
        var command = new Command("logits", "Save the next-token logits at every prompt position") { model, prompt, save };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLocator.Load(parse.GetValue(model)!);
            var ids = PromptIds.Encode(loaded, parse.GetValue(prompt)!);
            float[] logits;
            using (Tape.NoGrad()) logits = loaded.Model.Forward(TokenBatch.Single(ids)).ToFloatArray();
            string path = parse.GetValue(save)!;
            SafetensorsWriter.Write(path,
                [TensorWriteSource.FromFloat32("logits", TensorDType.F32, [ids.Length, loaded.Model.VocabSize], logits)],
                new Dictionary<string, string> { ["format"] = "pt", ["prompt"] = parse.GetValue(prompt)! });
            Console.Out.WriteLine($"saved logits [{ids.Length}, {loaded.Model.VocabSize}] to {path}");
            return 0;
        }));
        return command;
    }
}
