using RawEdit.Models.Checkpoints.PyTorch;

namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Opens the weights of a Hugging Face model folder: safetensors (<c>model.safetensors</c> or its sharded index)
/// when present, else PyTorch pickles (<c>pytorch_model.bin</c> or <c>pytorch_model.bin.index.json</c>).
/// </summary>
internal static class CheckpointFolder
{
    public static ITensorCheckpoint Open(string folder)
    {
        if (File.Exists(Path.Combine(folder, ShardIndex.SingleFileName)) || File.Exists(Path.Combine(folder, ShardIndex.FileName)))
            return ShardedCheckpoint.Open(folder);
        if (File.Exists(Path.Combine(folder, PyTorchCheckpoint.IndexFileName)) || File.Exists(Path.Combine(folder, PyTorchCheckpoint.SingleFileName)))
            return PyTorchCheckpoint.Open(folder);
        throw new FileNotFoundException($"{folder}: no weights found (looked for {ShardIndex.SingleFileName}, {ShardIndex.FileName}, " +
            $"{PyTorchCheckpoint.SingleFileName}, {PyTorchCheckpoint.IndexFileName})", Path.Combine(folder, ShardIndex.SingleFileName));
    }
}
