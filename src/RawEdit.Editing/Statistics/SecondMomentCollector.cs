using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Editing.Statistics;

/// <summary>
/// Streams documents through the model and accumulates C = (1/N) Σ k kᵀ over every non-padding token's key
/// (input of the MLP down projection) at one layer. Keys are widened to float64 before the product, and the
/// sum is kept in float64, so no precision is lost however many tokens go in. Documents are truncated to
/// the model's context, as upstream does.
/// </summary>
internal static class SecondMomentCollector
{
    /// <param name="sortWindow">Documents sorted by length together (bounds the memory held for a large corpus).</param>
    public static SecondMoment Compute(ICausalLanguageModel model, int layer, IEnumerable<int[]> documents, int maxDocuments,
        int tokensPerBatch = 4096, IProgress<int>? progress = null, int sortWindow = 4096)
    {
        if (layer < 0 || layer >= model.Layers) throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer} outside [0, {model.Layers})");
        int f = model.MlpWidth;
        var sum = Tensor.Zeros(DType.F64, f, f);
        long tokens = 0;
        int used = 0;
        var pending = new List<int[]>();
        void Flush()
        {
            if (pending.Count == 0) return;
            var batch = new TokenBatch(pending, model.EosTokenId);
            var hooks = new ForwardHooks();
            var keys = hooks.Capture(HookPoint.MlpKey, layer);
            using (Tape.NoGrad())
            {
                model.HiddenStates(batch, hooks, lastBlock: layer);   // the blocks above cannot change the key
                var rows = Enumerable.Range(0, batch.Ids.Length).Where(r => batch.Mask[r] > 0).ToArray();
                var k = Ops.GatherRows(Ops.Reshape(keys.Required, -1, f), rows).To(DType.F64);
                // sum += KᵀK  [F,N]·[N,F], accumulated in place (beta = 1)
                sum.Backend.Gemm(true, false, f, f, rows.Length, 1, k.Storage, f, 0, k.Storage, f, 0, 1, sum.Storage, f, 0, 1);
                tokens += rows.Length;
            }
            used += pending.Count;
            progress?.Report(used);
            pending.Clear();
        }
        // The first maxDocuments non-empty documents, truncated to the context, read a window at a time and batched in
        // order of length within it, so that a batch of short fact sentences is not padded to one long passage (the
        // sum is the same up to rounding).
        var truncated = documents.Where(d => d.Length > 0).Take(maxDocuments).Select(d => d.Length > model.MaxPositions ? d[..model.MaxPositions] : d);
        foreach (var window in truncated.Chunk(sortWindow))
        {
            foreach (var ids in window.OrderBy(d => d.Length))
            {
                if ((pending.Count + 1) * ids.Length > tokensPerBatch) Flush();   // sorted: ids is the longest so far
                pending.Add(ids);
            }
            Flush();
        }
        Flush();
        if (tokens == 0) throw new InvalidOperationException("the corpus gave no tokens for the second-moment statistics");
        var matrix = sum.ToDoubleArray();
        for (int i = 0; i < matrix.Length; i++) matrix[i] /= tokens;
        return new SecondMoment(matrix, f, tokens) { Documents = used };
    }
}
