using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>Same elements, new shape (one −1 inferred); shares storage.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var resolved = Shape.ResolveReshape(x.Length, shape);
        var y = new Tensor(x.Storage, resolved);
        return Recorder.Record(y, dy => GradientAccumulator.Add(x, new Tensor(dy.Storage, x.Shape)), x);
    }

    /// <summary>y's axis i is x's axis perm[i].</summary>
    public static Tensor Permute(Tensor x, params int[] perm)
    {
        if (perm.Length != x.Rank || perm.Distinct().Count() != perm.Length || perm.Any(p => p < 0 || p >= x.Rank))
            throw new ArgumentException($"bad permutation [{string.Join(",", perm)}] for {Shape.Format(x.Shape)}");
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        var y = Tensor.Zeros(x.DType, shape);
        x.Backend.Permute(x.Storage, x.Shape, perm, y.Storage, accumulate: false);
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return Recorder.Record(y, dy =>
            x.Backend.Permute(dy.Storage, shape, inverse, GradientAccumulator.Buffer(x).Storage, accumulate: true), x);
    }

    /// <summary>Swaps two axes.</summary>
    public static Tensor Transpose(Tensor x, int axis0 = -2, int axis1 = -1)
    {
        int a0 = Shape.NormalizeAxis(axis0, x.Rank), a1 = Shape.NormalizeAxis(axis1, x.Rank);
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[a0], perm[a1]) = (perm[a1], perm[a0]);
        return Permute(x, perm);
    }

    /// <summary>x[..., start:start+length, ...] along <paramref name="axis"/>.</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        axis = Shape.NormalizeAxis(axis, x.Rank);
        var (outer, len, inner) = Shape.AroundAxis(x.Shape, axis);
        if (start < 0 || length < 0 || start + length > len)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + length}) outside axis {axis} of {Shape.Format(x.Shape)}");
        var shape = (int[])x.Shape.Clone();
        shape[axis] = length;
        var y = Tensor.Zeros(x.DType, shape);
        x.Backend.CopyFromAxis(x.Storage, outer, len, inner, start, length, y.Storage, accumulate: false);
        return Recorder.Record(y, dy =>
            x.Backend.CopyIntoAxis(dy.Storage, outer, length, inner, GradientAccumulator.Buffer(x).Storage, len, start, accumulate: true), x);
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; other axes must agree.</summary>
    public static Tensor Concat(int axis, params Tensor[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("Concat of nothing");
        var first = parts[0];
        axis = Shape.NormalizeAxis(axis, first.Rank);
        var shape = (int[])first.Shape.Clone();
        shape[axis] = 0;
        foreach (var p in parts)
        {
            if (p.Rank != first.Rank)
                throw new ArgumentException($"Concat along {axis}: {Shape.Format(p.Shape)} does not match {Shape.Format(first.Shape)}");
            for (int d = 0; d < first.Rank; d++)
                if (d != axis && p.Shape[d] != first.Shape[d])
                    throw new ArgumentException($"Concat along {axis}: {Shape.Format(p.Shape)} does not match {Shape.Format(first.Shape)}");
            shape[axis] += p.Shape[axis];
        }
        var y = Tensor.Zeros(first.DType, shape);
        var (outer, total, inner) = Shape.AroundAxis(shape, axis);
        int offset = 0;
        var offsets = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            offsets[i] = offset;
            first.Backend.CopyIntoAxis(parts[i].Storage, outer, parts[i].Shape[axis], inner, y.Storage, total, offset, accumulate: false);
            offset += parts[i].Shape[axis];
        }
        return Recorder.Record(y, dy =>
        {
            for (int i = 0; i < parts.Length; i++)
                if (parts[i].RequiresGrad)
                    first.Backend.CopyFromAxis(dy.Storage, outer, total, inner, offsets[i], parts[i].Shape[axis],
                        GradientAccumulator.Buffer(parts[i]).Storage, accumulate: true);
        }, parts);
    }
}
