using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace RawEdit.Models.Checkpoints.PyTorch;

/// <summary>
/// Reads the pickle of a PyTorch state dict (<c>torch.save</c>'s <c>data.pkl</c>, protocols 2–4) without executing
/// anything: GLOBAL only names one of a fixed set of rebuild functions and storage types, REDUCE only "calls" those
/// by building inert values (<see cref="TensorReference"/>, <see cref="PickleDict"/>), and every other global,
/// opcode or call is refused with an <see cref="InvalidDataException"/> naming it.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private static readonly Dictionary<string, TensorDType> StorageTypes = new()
    {
        ["FloatStorage"] = TensorDType.F32, ["HalfStorage"] = TensorDType.F16, ["BFloat16Storage"] = TensorDType.BF16,
        ["DoubleStorage"] = TensorDType.F64, ["LongStorage"] = TensorDType.I64, ["IntStorage"] = TensorDType.I32,
        ["ByteStorage"] = TensorDType.U8, ["BoolStorage"] = TensorDType.Bool,
    };

    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensor = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");

    private sealed class Mark;

    private readonly byte[] data;
    private readonly string source;
    private readonly List<object?> stack = new();
    private readonly Dictionary<int, object?> memo = new();
    private readonly Dictionary<string, StorageReference> storages = new();
    private int position;

    private RestrictedUnpickler(byte[] data, string source)
    {
        this.data = data;
        this.source = source;
    }

    /// <summary>The unpickled top-level value: dicts, tuples, lists, strings, numbers and tensor references only.</summary>
    public static object? Load(byte[] pickle, string source) => new RestrictedUnpickler(pickle, source).Run();

    private InvalidDataException Error(string what) => new($"{source}: {what} (pickle offset {position})");

    private object? Run()
    {
        while (true)
        {
            if (position >= data.Length) throw Error("pickle ends without STOP");
            int opcodeAt = position;
            byte op = data[position++];
            switch (op)
            {
                case 0x80: Byte(); break;                                   // PROTO n
                case 0x95: Bytes(8); break;                                 // FRAME length (protocol 4 framing hint)
                case (byte)'.': return stack.Count == 1 ? Pop() : throw Error($"STOP with {stack.Count} values on the stack");
                case (byte)'(': stack.Add(new Mark()); break;
                case (byte)'}': stack.Add(new PickleDict()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;                          // NEWTRUE
                case 0x89: stack.Add(false); break;                         // NEWFALSE
                case (byte)'t': stack.Add(PopToMark().ToArray()); break;    // TUPLE
                case 0x85: stack.Add(new[] { Pop() }); break;               // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case (byte)'K': stack.Add((long)Byte()); break;             // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;
                case 0x8a: stack.Add(Long1(Byte())); break;                 // LONG1
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break; // BINFLOAT
                case (byte)'X': stack.Add(Utf8(Length32())); break;          // BINUNICODE
                case 0x8c: stack.Add(Utf8(Byte())); break;                  // SHORT_BINUNICODE
                case (byte)'q': memo[Byte()] = Peek(); break;               // BINPUT
                case (byte)'r': memo[Length32()] = Peek(); break;            // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek(); break;                // MEMOIZE
                case (byte)'h': stack.Add(Memo(Byte())); break;             // BINGET
                case (byte)'j': stack.Add(Memo(Length32())); break;          // LONG_BINGET
                case (byte)'c': stack.Add(Allowed(new PickleGlobal(Line(), Line()))); break; // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); stack.Add(Allowed(new PickleGlobal(Text(module), Text(name)))); break; }
                case (byte)'Q': stack.Add(PersistentLoad(Pop())); break;    // BINPERSID
                case (byte)'R': { var args = Pop(); var callable = Pop(); stack.Add(Reduce(callable, args)); break; }
                case (byte)'b': Build(Pop(), Peek()); break;                // BUILD
                case (byte)'s': { var value = Pop(); var key = Pop(); DictOnTop().Items.Add(new(key!, value)); break; }
                case (byte)'u': SetItems(); break;
                case (byte)'a': { var item = Pop(); ListOnTop().Add(item); break; }
                case (byte)'e': { var items = PopToMark(); ListOnTop().AddRange(items); break; }
                default:
                    position = opcodeAt;
                    throw Error($"unsupported pickle opcode 0x{op:x2} ('{(op is >= 0x20 and < 0x7f ? (char)op : '?')}'); only the opcodes torch.save writes for state dicts are read");
            }
        }
    }

    /// <summary>GLOBAL is refused at once unless it names a tensor-rebuild function, a storage type or OrderedDict.</summary>
    private PickleGlobal Allowed(PickleGlobal global)
    {
        bool storageType = global.Module == "torch" && StorageTypes.ContainsKey(global.Name);
        if (storageType || global == OrderedDict || global == RebuildTensor || global == RebuildParameter) return global;
        throw Error($"refusing pickle global '{global}': only torch tensor rebuilds, storage types and collections.OrderedDict are allowed, nothing is executed");
    }

    private object? Reduce(object? callable, object? args)
    {
        var a = args as object?[] ?? throw Error("REDUCE arguments are not a tuple");
        if (callable is not PickleGlobal global) throw Error("REDUCE of something that is not an allowed global");
        if (global == OrderedDict)
            return a.Length == 0 ? new PickleDict() : throw Error("collections.OrderedDict called with arguments");
        if (global == RebuildParameter)
            return a.Length >= 1 && a[0] is TensorReference t ? t : throw Error("torch._utils._rebuild_parameter without a tensor");
        if (global == RebuildTensor) return RebuildTensorV2(a);
        throw Error($"refusing to call '{global}'");
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private TensorReference RebuildTensorV2(object?[] a)
    {
        if (a.Length is < 6 or > 7 || a[0] is not StorageReference storage || a[1] is not long offset)
            throw Error("torch._utils._rebuild_tensor_v2 with unexpected arguments");
        long[] shape = Longs(a[2], "size"), strides = Longs(a[3], "stride");
        if (shape.Length != strides.Length) throw Error($"tensor size has {shape.Length} dimensions but stride {strides.Length}");
        if (shape.Any(d => d < 0) || strides.Any(s => s < 0) || offset < 0) throw Error("negative tensor size, stride or offset");
        if (shape.Any(d => d == 0)) return new TensorReference(storage, offset, shape, strides);
        long last = offset, count = 1;
        try
        {
            for (int i = 0; i < shape.Length; i++)
            {
                last = checked(last + (shape[i] - 1) * strides[i]);
                count = checked(count * shape[i]);
            }
            _ = checked(count * storage.DType.ByteSize());
        }
        catch (OverflowException) { throw Error($"tensor size {string.Join("x", shape)} with strides {string.Join(",", strides)} overflows"); }
        if (last >= storage.ElementCount)
            throw Error($"tensor view reaches element {last} of storage '{storage.Key}' that holds {storage.ElementCount}");
        return new TensorReference(storage, offset, shape, strides);
    }

    private long[] Longs(object? value, string what) =>
        value is object?[] items && items.All(i => i is long) ? items.Select(i => (long)i!).ToArray()
            : throw Error($"tensor {what} is not a tuple of integers");

    // ('storage', storage_type, key, location, numel): the zip entry data/<key>.
    private StorageReference PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal type || t[2] is not string key || t[4] is not long numel)
            throw Error("persistent id is not ('storage', type, key, location, numel)");
        if (type.Module != "torch" || !StorageTypes.TryGetValue(type.Name, out var dtype)) throw Error($"unknown storage type '{type}'");
        if (numel < 0 || numel > long.MaxValue / 8) throw Error($"storage '{key}' has an impossible size {numel}");
        if (storages.TryGetValue(key, out var seen))
            return seen.DType == dtype && seen.ElementCount == numel ? seen : throw Error($"storage '{key}' declared twice with different types or sizes");
        return storages[key] = new StorageReference(key, dtype, numel);
    }

    // OrderedDict's __reduce__ ends with BUILD of its attribute dict (_metadata): accepted and dropped.
    private void Build(object? state, object? target)
    {
        if (target is PickleDict && state is PickleDict or null) return;
        throw Error("BUILD on something other than an OrderedDict");
    }

    private void SetItems()
    {
        var items = PopToMark();
        if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of values");
        var dict = DictOnTop();
        for (int i = 0; i < items.Count; i += 2) dict.Items.Add(new(items[i]!, items[i + 1]));
    }

    private PickleDict DictOnTop() => Peek() as PickleDict ?? throw Error("SETITEM on something that is not a dict");
    private List<object?> ListOnTop() => Peek() as List<object?> ?? throw Error("APPEND on something that is not a list");

    private object? Pop()
    {
        if (stack.Count == 0 || stack[^1] is Mark) throw Error("pickle stack underflow");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private object? Peek() => stack.Count > 0 && stack[^1] is not Mark ? stack[^1] : throw Error("pickle stack underflow");

    private List<object?> PopToMark()
    {
        int mark = stack.FindLastIndex(v => v is Mark);
        if (mark < 0) throw Error("no MARK on the pickle stack");
        var items = stack.GetRange(mark + 1, stack.Count - mark - 1);
        stack.RemoveRange(mark, stack.Count - mark);
        return items;
    }

    private object? Memo(int index) => memo.TryGetValue(index, out var v) ? v : throw Error($"memo entry {index} was never stored");

    private byte Byte() => Bytes(1)[0];

    /// <summary>A 4-byte little-endian length or memo index; beyond int range it cannot fit in this pickle anyway.</summary>
    private int Length32()
    {
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
        return value <= int.MaxValue ? (int)value : throw Error($"length or index {value} is out of range");
    }

    private ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || position > data.Length - count) throw Error("pickle is truncated");
        var span = data.AsSpan(position, count);
        position += count;
        return span;
    }

    private string Utf8(int count) => Encoding.UTF8.GetString(Bytes(count));

    private string Line()
    {
        int end = Array.IndexOf(data, (byte)'\n', position);
        if (end < 0) throw Error("GLOBAL name is not terminated");
        var text = Encoding.ASCII.GetString(data, position, end - position);
        position = end + 1;
        return text;
    }

    private string Text(object? value) => value as string ?? throw Error("STACK_GLOBAL names are not strings");

    private object Long1(int count)
    {
        var value = new BigInteger(Bytes(count), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : throw Error("integer too large");
    }
}
