using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tensors;

internal static partial class Ops
{
    /// <summary>
    /// y = op(a)·op(b). Either a [..., M, K] · b [K, N] (a's leading axes flattened into rows; transA not allowed),
    /// or a batched product a [Bt, M, K] · b [Bt, K, N]. transA/transB read a as [K, M] / b as [N, K].
    /// Backward (y = A·B): dA = dY·Bᵀ, dB = Aᵀ·dY, computed only for inputs that require gradients.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        bool batched = a.Rank == 3 && b.Rank == 3;
        if (!batched && (b.Rank != 2 || a.Rank < 2 || (transA && a.Rank != 2)))
            throw new ArgumentException($"MatMul of {Shape.Format(a.Shape)} and {Shape.Format(b.Shape)}: expected [...,M,K]·[K,N] or [B,M,K]·[B,K,N]");
        int batch = batched ? a.Shape[0] : 1;
        if (batched && b.Shape[0] != batch) throw new ArgumentException($"MatMul batch sizes differ: {Shape.Format(a.Shape)} and {Shape.Format(b.Shape)}");
        int aRows = a.Shape[^2], aCols = a.Shape[^1];
        int m = transA ? aCols : (batched ? aRows : (int)(a.Length / aCols));
        int k = transA ? aRows : aCols;
        int kb = transB ? b.Shape[^1] : b.Shape[^2], n = transB ? b.Shape[^2] : b.Shape[^1];
        if (k != kb) throw new ArgumentException($"MatMul inner sizes differ: {Shape.Format(a.Shape)}{(transA ? "ᵀ" : "")} · {Shape.Format(b.Shape)}{(transB ? "ᵀ" : "")}");

        int[] shape = batched ? [batch, m, n] : transA ? [m, n] : [.. a.Shape[..^1], n];
        var y = Tensor.Zeros(a.DType.ComputeType(), shape);
        int lda = aCols, ldb = b.Shape[^1];
        long sa = (long)aRows * aCols, sb = (long)b.Shape[^2] * b.Shape[^1], sy = (long)m * n;
        a.Backend.Gemm(transA, transB, m, n, k, 1, a.Storage, lda, sa, b.Storage, ldb, sb, 0, y.Storage, n, sy, batch);

        return Recorder.Record(y, dy =>
        {
            if (a.RequiresGrad)
            {
                var da = GradientAccumulator.Buffer(a).Storage;
                if (!transA) a.Backend.Gemm(false, !transB, m, k, n, 1, dy.Storage, n, sy, b.Storage, ldb, sb, 1, da, lda, sa, batch);
                else a.Backend.Gemm(transB, true, k, m, n, 1, b.Storage, ldb, sb, dy.Storage, n, sy, 1, da, lda, sa, batch);
            }
            if (b.RequiresGrad)
            {
                var db = GradientAccumulator.Buffer(b).Storage;
                long sdb = batched ? sb : 0;
                if (!transB) b.Backend.Gemm(!transA, false, k, n, m, 1, a.Storage, lda, sa, dy.Storage, n, sy, 1, db, ldb, sdb, batch);
                else b.Backend.Gemm(true, transA, n, k, m, 1, dy.Storage, n, sy, a.Storage, lda, sa, 1, db, ldb, sdb, batch);
            }
        }, a, b);
    }

    /// <summary>
    /// x [..., in] → [..., out]. GPT-2 Conv1D stores weight [in, out]; GPT-J / torch Linear stores [out, in]
    /// (<paramref name="weightIsOutByIn"/>). Bias [out] optional.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias, bool weightIsOutByIn = false)
    {
        var y = MatMul(x, weight, transB: weightIsOutByIn);
        return bias is null ? y : Add(y, bias);
    }
}
