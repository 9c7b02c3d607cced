using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>
    /// Rows of a table: x viewed as [R, W] (W = last axis), y [ids.Length, W] with y[r] = x[ids[r]].
    /// Embedding lookup is this on the token table. Backward scatters (adds) into the picked rows.
    /// </summary>
    public static Tensor GatherRows(Tensor x, int[] ids)
    {
        int width = x.Shape[^1];
        var y = Tensor.Zeros(x.DType.ComputeType(), ids.Length, width);
        x.Backend.GatherRows(x.Storage, width, ids, y.Storage);
        return Recorder.Record(y, dy =>
            x.Backend.ScatterAddRows(dy.Storage, width, ids, GradientAccumulator.Buffer(x).Storage), x);
    }

    /// <summary>Embedding: table [V, C], ids with shape idShape → [..idShape, C].</summary>
    public static Tensor Embedding(Tensor table, int[] ids, params int[] idShape) =>
        Reshape(GatherRows(table, ids), [.. idShape, table.Shape[^1]]);

    /// <summary>y = x with y[rows[i], :] += values[i, :] (x viewed as [R, W], values [rows.Length, W]).</summary>
    public static Tensor AddRows(Tensor x, int[] rows, Tensor values)
    {
        int width = x.Shape[^1];
        if (values.Length != (long)rows.Length * width)
            throw new ArgumentException($"AddRows: values {Shape.Format(values.Shape)} for {rows.Length} rows of width {width}");
        long rowCount = x.Length / width;
        foreach (int row in rows)
            if ((uint)row >= rowCount)
                throw new ArgumentOutOfRangeException(nameof(rows), $"row index {row} outside [0, {rowCount})");
        var y = x.Clone();
        x.Backend.ScatterAddRows(values.Storage, width, rows, y.Storage);
        return Recorder.Record(y, dy =>
        {
            if (x.RequiresGrad) GradientAccumulator.Add(x, dy);
            if (values.RequiresGrad)
            {
                var picked = Tensor.Zeros(x.DType, values.Shape);
                x.Backend.GatherRows(dy.Storage, width, rows, picked.Storage);
                GradientAccumulator.Add(values, picked);
            }
        }, x, values);
    }

    /// <summary>y[r] = x[r, cols[r]] for x [R, N]; a negative column yields 0 and no gradient.</summary>
    public static Tensor PickColumns(Tensor x, int[] cols)
    {
        int n = x.Shape[^1];
        if (x.Length / n != cols.Length) throw new ArgumentException($"PickColumns: {cols.Length} columns for {x.Length / n} rows");
        var y = Tensor.Zeros(x.DType, cols.Length);
        x.Backend.PickColumns(x.Storage, n, cols, y.Storage);
        return Recorder.Record(y, dy =>
            x.Backend.PickColumnsBackward(dy.Storage, n, cols, GradientAccumulator.Buffer(x).Storage), x);
    }
}
