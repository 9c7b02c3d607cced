// Entry point of the benchmarks.
//   gemm-server               : line protocol for benchmarks/gemm/side_by_side.py (see GemmServer.cs)
//   gemm [threads] [repeats] [extra] : quick CpuGemm GFLOP/s table (extra: the small-problem shapes)
//   forward-server            : line protocol for benchmarks/forward/side_by_side.py (GPT-2 124M forward)
//   train-server              : line protocol for benchmarks/train/side_by_side.py (GPT-2 124M training steps)
//   profile [STEPS]           : per-kind stopwatch breakdown of GPT-2 124M forward and training steps (StepProfile.cs)
//   profile-preset NAME [STEPS] : the same breakdown of `rawedit train --preset NAME`'s own training step
//   vector-path               : the vector path our kernels take here (MachineInfo.cs)
//   rome-server               : line protocol for benchmarks/rome/side_by_side.py (one ROME edit)
//   memit-prompts REQ OUT     : the default-model MEMIT inputs as token ids for benchmarks/memit (see MemitPrompts.cs)
//   random-checkpoint SHAPE DIR : a random bf16 sharded checkpoint shaped like gpt2-xl or gptj-6b (RandomCheckpoint.cs)
//   checkpoint-measure DIR T S  : load, forward and ROME-edit timings and peak memory on it (CheckpointMeasure.cs)
//   edit-methods-measure DIR M S : one MEMIT edit, one MEND edit or one MEND training step on it (EditMethodsMeasure.cs)
//   cholesky N…               : float64 Cholesky factor and solve times at each size (CholeskyTiming.cs)
//   tokenizer TEXT DIR [K]    : Gpt2Tokenizer tokens/s on TEXT, K fresh tokenizers from DIR (TokenizerThroughput.cs)
//   anything else             : BenchmarkDotNet (e.g. --filter '*GemmBenchmarks*')

using BenchmarkDotNet.Running;
using RawEdit.Benchmarks.Gemm;
using RawEdit.Tensors.Gpu;

try { DeviceSelection.UseEnvironmentChoice(); }   // RAWEDIT_DEVICE (cpu, cuda, ilgpu-cpu, auto), as the CLI's default: where models load
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"RawEdit.Benchmarks: {e.Message}");
    return 2;
}

if (args.Length > 0 && args[0] == "forward-server")
    return RawEdit.Benchmarks.Forward.ForwardServer.Serve(Console.In, Console.Out);
if (args.Length > 0 && args[0] == "train-server")
    return RawEdit.Benchmarks.Training.TrainServer.Serve(Console.In, Console.Out);
if (args.Length is 1 or 2 && args[0] == "profile")
    return RawEdit.Benchmarks.Training.StepProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 5);
if (args.Length is 2 or 3 && args[0] == "profile-preset")
    return RawEdit.Benchmarks.Training.StepProfile.RunPreset(args[1], args.Length > 2 ? int.Parse(args[2]) : 5);
if (args.Length == 1 && args[0] == "vector-path")
{
    Console.WriteLine(RawEdit.Benchmarks.MachineInfo.Describe());
    return 0;
}
if (args.Length > 0 && args[0] == "rome-server")
    return RawEdit.Benchmarks.Rome.RomeServer.Serve(Console.In, Console.Out);
if (args.Length == 3 && args[0] == "memit-prompts")
    return RawEdit.Benchmarks.Memit.MemitPrompts.Write(args[1], args[2]);
if (args.Length == 3 && args[0] == "random-checkpoint")
    return RawEdit.Benchmarks.Checkpoints.RandomCheckpoint.Write(args[1], args[2]);
if (args.Length == 4 && args[0] == "checkpoint-measure")
    return RawEdit.Benchmarks.Checkpoints.CheckpointMeasure.Run(args[1], int.Parse(args[2]), int.Parse(args[3]));
if (args.Length == 4 && args[0] == "edit-methods-measure")
    return RawEdit.Benchmarks.Checkpoints.EditMethodsMeasure.Run(args[1], args[2], int.Parse(args[3]));
if (args.Length > 1 && args[0] == "cholesky")
    return RawEdit.Benchmarks.LinearAlgebra.CholeskyTiming.Run(args.Skip(1).Select(int.Parse));
if (args.Length is 3 or 4 && args[0] == "tokenizer")
    return RawEdit.Benchmarks.Tokenizer.TokenizerThroughput.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3]) : 7);
if (args.Length > 0 && args[0] == "gemm-server")
    return GemmServer.Serve(Console.In, Console.Out);
if (args.Length > 0 && args[0] == "gemm")
    return GemmServer.Quick(args.Length > 1 ? int.Parse(args[1]) : Environment.ProcessorCount,
        args.Length > 2 ? int.Parse(args[2]) : 15, args.Length > 3 && args[3] == "extra");

BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
return 0;
