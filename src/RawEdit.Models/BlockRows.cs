using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Models;

/// <summary>
/// Which rows of a [B,T] batch a run of blocks computes. Shapes: W = a width (3C for GPT-2's qkv, C for GPT-J's q, k, v).
/// <list type="bullet">
/// <item><see cref="All"/>: every row; activations stay [B,T,·] (the plain forward pass).</item>
/// <item>A subset R of the flat rows b·T + t: activations are [|R|, ·]. Attention still needs the keys and values of
/// every earlier row, so <see cref="AttentionInput"/> places the computed rows into a [B,T,W] tensor whose other rows
/// come from a frozen run (<see cref="FrozenPrefix"/>), or, in that frozen run itself, records that tensor.</item>
/// <item>Extending (generation): R are rows not computed before; the others' keys and values come from an
/// <see cref="AttentionCache"/>, which then keeps R's too.</item>
/// </list>
/// The last block of a subset run may keep only some of R after its attention (<see cref="OutputRows"/>): the rows
/// nothing else reads are still needed for their keys and values, not for their MLP.
/// </summary>
internal sealed class BlockRows
{
    private readonly int batch, time;
    private readonly int[]? rows;                                   // R (flat rows), null for all rows
    private readonly IReadOnlyDictionary<(int Layer, string Name), Tensor>? frozen;  // the frozen run's attention inputs [B,T,W]
    private readonly Dictionary<(int Layer, string Name), Tensor>? record;            // where the frozen run writes them ([B,T,W])
    private AttentionCache? cache;                                  // generation: read and extended ([B,T,W])
    private readonly int outputLayer;
    private readonly int[]? outputRows;                             // indices into R kept after the output layer's attention
    private readonly int[]? outputFlatRows;                         // R[outputRows]

    private BlockRows(int batch, int time, int[]? rows, IReadOnlyDictionary<(int, string), Tensor>? frozen, Dictionary<(int, string), Tensor>? record,
        int outputLayer, int[]? outputRows)
    {
        this.batch = batch;
        this.time = time;
        this.rows = rows;
        this.frozen = frozen;
        this.record = record;
        this.outputLayer = outputLayer;
        this.outputRows = outputRows;
        outputFlatRows = outputRows?.Select(i => rows![i]).ToArray();
    }

    /// <summary>Every row of the batch: the blocks behave exactly as a plain forward pass.</summary>
    public static BlockRows All(TokenBatch batch) => new(batch.Batch, batch.Time, null, null, null, -1, null);

    /// <summary>Computes <paramref name="rows"/> with zeros for the others' keys and values, writing each attention input into <paramref name="record"/>.</summary>
    public static BlockRows Recording(TokenBatch batch, int[] rows, Dictionary<(int, string), Tensor> record) =>
        new(batch.Batch, batch.Time, rows, null, record, -1, null);

    /// <summary>Computes <paramref name="rows"/>, the others' keys and values read from <paramref name="frozen"/>; after block <paramref name="outputLayer"/>'s attention only <paramref name="outputRows"/> (indices into rows).</summary>
    public static BlockRows Replaying(TokenBatch batch, int[] rows, IReadOnlyDictionary<(int, string), Tensor> frozen, int outputLayer, int[] outputRows) =>
        new(batch.Batch, batch.Time, rows, frozen, null, outputLayer, outputRows);

    /// <summary>Computes <paramref name="rows"/> (not computed before), the earlier rows' keys and values read from <paramref name="cache"/>, which keeps these rows' too.</summary>
    public static BlockRows Extending(TokenBatch batch, int[] rows, AttentionCache cache) =>
        new(batch.Batch, batch.Time, rows, null, null, -1, null) { cache = cache };

    /// <summary>computed [B,T,W] or [|R|,W] → [B,T,W]: the attention's input over every row of the batch.</summary>
    public Tensor AttentionInput(int layer, string name, Tensor computed)
    {
        if (rows is null) return computed;
        if (cache is not null) return cache.Extend(layer, name, rows, computed);
        int width = computed.Shape[^1];
        if (record is not null)
        {
            Tensor recorded;
            using (Tape.NoGrad()) recorded = Ops.AddRows(Tensor.Zeros(computed.DType, batch, time, width), rows, computed);
            return record[(layer, name)] = recorded;
        }
        // Rows the frozen run did not compute (it had none before some sequence's first changed row) read as zeros.
        var others = frozen!.TryGetValue((layer, name), out var f) ? f : Tensor.Zeros(computed.DType, batch, time, width);
        return Ops.AddRows(others, rows, computed);
    }

    /// <summary>attended [B,T,C] → the rows this block outputs: [B,T,C], [|R|,C], or after the output layer [|outputRows|,C].</summary>
    public Tensor AttentionOutput(int layer, Tensor attended) =>
        rows is null ? attended : Ops.GatherRows(attended, layer == outputLayer ? outputFlatRows! : rows);

    /// <summary>A computed-rows activation x [B,T,W] or [|R|,W] restricted to the rows this block outputs.</summary>
    public Tensor OutputRows(int layer, Tensor x) => rows is null || layer != outputLayer ? x : Ops.GatherRows(x, outputRows!);
}
