using RawEdit.Tensors;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// The CPU backend with a GEMM counter. Storages it allocates name it as their backend, so every op on tensors
/// created under <c>Backends.Use(counter)</c> routes through here; the kernels themselves are the CPU ones.
/// Lets a test prove that a frozen weight costs no weight-gradient GEMM.
/// </summary>
internal sealed class GemmCountingBackend : IBackend
{
    private readonly IBackend cpu = Backends.Cpu;

    public int GemmCalls { get; private set; }

    public string Name => "cpu-gemm-counting";

    private TensorStorage Own(TensorStorage s) => s switch
    {
        CpuStorage<float> f => new CpuStorage<float>(f.Data, this),
        CpuStorage<double> d => new CpuStorage<double>(d.Data, this),
        _ => throw new ArgumentException($"unexpected storage {s.GetType().Name}"),
    };

    public TensorStorage Allocate(DType dtype, long length) => Own(cpu.Allocate(dtype, length));
    public TensorStorage Upload(ReadOnlySpan<float> host) => Own(cpu.Upload(host));
    public TensorStorage Upload(ReadOnlySpan<double> host) => Own(cpu.Upload(host));
    public TensorStorage Convert(TensorStorage src, DType dtype) => Own(cpu.Convert(src, dtype));

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        TensorStorage a, int lda, long strideA, TensorStorage b, int ldb, long strideB,
        double beta, TensorStorage c, int ldc, long strideC, int batch)
    {
        GemmCalls++;
        cpu.Gemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);
    }

    public void Download(TensorStorage src, Span<float> host) => cpu.Download(src, host);
    public void Download(TensorStorage src, Span<double> host) => cpu.Download(src, host);
    public void Copy(TensorStorage src, long srcOffset, TensorStorage dst, long dstOffset, long count) => cpu.Copy(src, srcOffset, dst, dstOffset, count);
    public void Fill(TensorStorage dst, double value) => cpu.Fill(dst, value);
    public void Unary(UnaryOp op, TensorStorage x, TensorStorage y) => cpu.Unary(op, x, y);
    public void UnaryBackward(UnaryOp op, TensorStorage x, TensorStorage y, TensorStorage dy, TensorStorage dx) => cpu.UnaryBackward(op, x, y, dy, dx);
    public void Binary(BinaryOp op, TensorStorage a, int[] aShape, TensorStorage b, int[] bShape, TensorStorage y, int[] yShape) => cpu.Binary(op, a, aShape, b, bShape, y, yShape);
    public void Axpby(double alpha, TensorStorage x, double beta, TensorStorage y) => cpu.Axpby(alpha, x, beta, y);
    public void ReduceToShape(TensorStorage src, int[] srcShape, TensorStorage dst, int[] dstShape) => cpu.ReduceToShape(src, srcShape, dst, dstShape);
    public void SumAxis(TensorStorage x, TensorStorage y, int outer, int axis, int inner, bool accumulate) => cpu.SumAxis(x, y, outer, axis, inner, accumulate);
    public void BroadcastAxisAdd(TensorStorage x, TensorStorage y, int outer, int axis, int inner) => cpu.BroadcastAxisAdd(x, y, outer, axis, inner);
    public void Permute(TensorStorage x, int[] xShape, int[] perm, TensorStorage y, bool accumulate) => cpu.Permute(x, xShape, perm, y, accumulate);
    public void CopyIntoAxis(TensorStorage x, int outer, int xAxis, int inner, TensorStorage y, int yAxis, int offset, bool accumulate) => cpu.CopyIntoAxis(x, outer, xAxis, inner, y, yAxis, offset, accumulate);
    public void CopyFromAxis(TensorStorage x, int outer, int xAxis, int inner, int start, int length, TensorStorage y, bool accumulate) => cpu.CopyFromAxis(x, outer, xAxis, inner, start, length, y, accumulate);
    public void GatherRows(TensorStorage table, int width, ReadOnlySpan<int> ids, TensorStorage y) => cpu.GatherRows(table, width, ids, y);
    public void ScatterAddRows(TensorStorage dy, int width, ReadOnlySpan<int> ids, TensorStorage table) => cpu.ScatterAddRows(dy, width, ids, table);
    public void PickColumns(TensorStorage x, int n, ReadOnlySpan<int> cols, TensorStorage y) => cpu.PickColumns(x, n, cols, y);
    public void PickColumnsBackward(TensorStorage dy, int n, ReadOnlySpan<int> cols, TensorStorage dx) => cpu.PickColumnsBackward(dy, n, cols, dx);

    public void LayerNorm(TensorStorage x, TensorStorage gamma, TensorStorage beta, TensorStorage y,
        TensorStorage mean, TensorStorage rstd, int rows, int n, double eps) => cpu.LayerNorm(x, gamma, beta, y, mean, rstd, rows, n, eps);

    public void LayerNormBackward(TensorStorage x, TensorStorage gamma, TensorStorage mean, TensorStorage rstd,
        TensorStorage dy, TensorStorage? dx, TensorStorage? dgamma, TensorStorage? dbeta, int rows, int n) =>
        cpu.LayerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, n);

    public void Softmax(TensorStorage x, TensorStorage y, int rows, int n, bool log) => cpu.Softmax(x, y, rows, n, log);
    public void SoftmaxBackward(TensorStorage y, TensorStorage dy, TensorStorage dx, int rows, int n, bool log) => cpu.SoftmaxBackward(y, dy, dx, rows, n, log);

    public void Attention(TensorStorage qkv, TensorStorage? keyMask, TensorStorage output, TensorStorage probs, int b, int t, int c, int heads) =>
        cpu.Attention(qkv, keyMask, output, probs, b, t, c, heads);

    public void AttentionBackward(TensorStorage qkv, TensorStorage probs, TensorStorage dOutput, TensorStorage dQkv, int b, int t, int c, int heads) =>
        cpu.AttentionBackward(qkv, probs, dOutput, dQkv, b, t, c, heads);

    public void Rotary(TensorStorage x, TensorStorage y, int b, int t, int heads, int headDim, int rotaryDim, bool inverse, bool accumulate) =>
        cpu.Rotary(x, y, b, t, heads, headDim, rotaryDim, inverse, accumulate);

    public void SoftmaxCrossEntropy(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage loss, TensorStorage logSumExp, int rows, int n) =>
        cpu.SoftmaxCrossEntropy(logits, targets, loss, logSumExp, rows, n);
    public void SoftmaxCrossEntropyBackward(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage logSumExp, TensorStorage dLoss, TensorStorage dLogits, int rows, int n) =>
        cpu.SoftmaxCrossEntropyBackward(logits, targets, logSumExp, dLoss, dLogits, rows, n);
    public void AdamWUpdate(TensorStorage parameter, TensorStorage gradient, TensorStorage m, TensorStorage v,
        double lr, double beta1, double beta2, double eps, double weightDecay, int step) =>
        cpu.AdamWUpdate(parameter, gradient, m, v, lr, beta1, beta2, eps, weightDecay, step);
    public double SumOfSquares(TensorStorage x) => cpu.SumOfSquares(x);
}
