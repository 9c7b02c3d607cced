using System.Globalization;
using RawEdit.Models.Checkpoints;
using RawEdit.Tensors;
using RawEdit.Tensors.Optim;

namespace RawEdit.Editing.Mend;

/// <summary>
/// Everything a MEND run needs to continue bit-identically, in one safetensors file written atomically: the editor
/// (as <see cref="MendEditorFile"/>), both optimisers' moments ("adam.{m|v}.{name}") and step counts, the iteration,
/// the best validation loss so far and where it was reached. The training order is a function of the iteration.
/// </summary>
internal static class MendTrainingState
{
    public const string FileName = "training-state.safetensors";

    public static void Save(MendTrainer trainer, string path)
    {
        var moments = Optimizers(trainer).SelectMany(o => o.Moments)
            .SelectMany(m => new[] { MendEditorFile.Float32("adam.m." + m.Name, m.M), MendEditorFile.Float32("adam.v." + m.Name, m.V) });
        MendEditorFile.Save(trainer.Editor, trainer.Model, path, moments, new Dictionary<string, string>
        {
            ["iteration"] = Text(trainer.Iteration),
            ["network_steps"] = Text(trainer.NetworkOptimizer.Step),
            ["edit_lr_steps"] = Text(trainer.StepOptimizer?.Step ?? 0),
            ["best_validation_loss"] = trainer.BestValidationLoss.ToString("R", CultureInfo.InvariantCulture),
            ["best_iteration"] = Text(trainer.BestIteration),
            ["training_examples"] = Text(trainer.TrainingExamples),
        });
    }

    /// <summary>Restores a state into a trainer made for the same model, hyperparameters and data.</summary>
    public static void Restore(MendTrainer trainer, string path)
    {
        using var file = SafetensorsFile.Open(path);
        var saved = MendEditorFile.Restore(file, trainer.Model, path);
        if (saved.Hparams.ToJson().ToJsonString() != trainer.Hparams.ToJson().ToJsonString())
            throw new InvalidDataException($"{path} was written with other MEND hyperparameters: {saved.Hparams.ToJson().ToJsonString()}");
        if (Number(file, "training_examples", path) != trainer.TrainingExamples)
            throw new InvalidDataException($"{path} was written for {file.Metadata["training_examples"]} training examples, this run has {trainer.TrainingExamples}");
        var restored = saved.Parameters().ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, tensor) in trainer.Editor.Parameters()) tensor.CopyFrom(restored[name]);
        foreach (var (key, network) in trainer.Editor.Networks)
        {
            var from = saved.Networks[key];
            Copy(from.InputStatistics, network.InputStatistics);
            Copy(from.GradientStatistics, network.GradientStatistics);
        }
        foreach (var (name, m, v) in Optimizers(trainer).SelectMany(o => o.Moments))
        {
            m.CopyFrom(Tensor.FromArray(MendEditorFile.Read(file, "adam.m." + name, m.Length, path), m.Shape));
            v.CopyFrom(Tensor.FromArray(MendEditorFile.Read(file, "adam.v." + name, v.Length, path), v.Shape));
        }
        trainer.NetworkOptimizer.Step = Number(file, "network_steps", path);
        if (trainer.StepOptimizer is { } steps) steps.Step = Number(file, "edit_lr_steps", path);
        trainer.Iteration = Number(file, "iteration", path);
        trainer.BestIteration = Number(file, "best_iteration", path);
        trainer.BestValidationLoss = double.Parse(file.Metadata["best_validation_loss"], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<AdamW> Optimizers(MendTrainer trainer) =>
        trainer.StepOptimizer is null ? [trainer.NetworkOptimizer] : [trainer.NetworkOptimizer, trainer.StepOptimizer];

    private static void Copy(RunningStatistics from, RunningStatistics to)
    {
        from.Mean.CopyTo(to.Mean, 0);
        from.M2.CopyTo(to.M2, 0);
        to.Count = from.Count;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Number(SafetensorsFile file, string key, string path) =>
        int.TryParse(file.Metadata.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new InvalidDataException($"{path}: metadata '{key}' is missing or not a number");
}
