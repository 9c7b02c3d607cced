namespace RawEdit.Models.Checkpoints.PyTorch;

/// <summary>A <c>module.name</c> reference from a GLOBAL opcode; only ever compared, never resolved or called.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A dict or OrderedDict, keys in insertion order (state dicts are ordered).</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object, object?>> Items { get; } = new();
}

/// <summary>A persistent-id storage reference: ('storage', type, key, location, numel) → archive/data/key.</summary>
internal sealed record StorageReference(string Key, TensorDType DType, long ElementCount);

/// <summary>The arguments of <c>torch._utils._rebuild_tensor_v2</c>: a strided view of a storage.</summary>
internal sealed record TensorReference(StorageReference Storage, long Offset, long[] Shape, long[] Strides);
