namespace RawEdit.Tensors.Backend;

/// <summary>Unary element-wise functions with known derivatives.</summary>
internal enum UnaryOp { Neg, Exp, Log, Sqrt, Tanh, GeluNew, Relu, Square, Abs, Reciprocal }

/// <summary>Binary element-wise functions under NumPy broadcasting.</summary>
internal enum BinaryOp { Add, Sub, Mul, Div }

/// <summary>
/// The kernel contract every device implements (CPU now, CUDA later). Kernels work on whole contiguous
/// storages with explicit sizes; autodiff and shape logic live above, in <see cref="Ops"/>.
/// Backward kernels accumulate (+=) into their gradient outputs, so several uses of a tensor sum up.
/// Shape legend: B batch, T time, C channels, H heads, D head dim, V vocab, R rows, N columns.
/// </summary>
internal interface IBackend
{
    string Name { get; }

    // ---- memory ----
    TensorStorage Allocate(DType dtype, long length);              // zero-filled
    TensorStorage Upload(ReadOnlySpan<float> host);
    TensorStorage Upload(ReadOnlySpan<double> host);
    void Download(TensorStorage src, Span<float> host);
    void Download(TensorStorage src, Span<double> host);
    void Copy(TensorStorage src, long srcOffset, TensorStorage dst, long dstOffset, long count);
    void Fill(TensorStorage dst, double value);
    TensorStorage Convert(TensorStorage src, DType dtype);

    // ---- linear algebra ----
    /// <summary>Strided batched row-major GEMM: C_i = alpha·op(A_i)·op(B_i) + beta·C_i.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        TensorStorage a, int lda, long strideA, TensorStorage b, int ldb, long strideB,
        double beta, TensorStorage c, int ldc, long strideC, int batch);

    // ---- element-wise ----
    void Unary(UnaryOp op, TensorStorage x, TensorStorage y);
    /// <summary>dx += f'(x)·dy (y = f(x) is passed for functions whose derivative reuses it).</summary>
    void UnaryBackward(UnaryOp op, TensorStorage x, TensorStorage y, TensorStorage dy, TensorStorage dx);
    void Binary(BinaryOp op, TensorStorage a, int[] aShape, TensorStorage b, int[] bShape, TensorStorage y, int[] yShape);
    /// <summary>y = alpha·x + beta·y (beta = 0 overwrites).</summary>
    void Axpby(double alpha, TensorStorage x, double beta, TensorStorage y);
    /// <summary>Sums <paramref name="src"/> (shape srcShape) down to the broadcast-compatible dstShape, adding into dst.</summary>
    void ReduceToShape(TensorStorage src, int[] srcShape, TensorStorage dst, int[] dstShape);
    /// <summary>y[o,i] (+)= Σ_a x[o,a,i]: sum over the middle axis of outer × axis × inner.</summary>
    void SumAxis(TensorStorage x, TensorStorage y, int outer, int axis, int inner, bool accumulate);
    /// <summary>y[o,a,i] += x[o,i]: the adjoint of <see cref="SumAxis"/>.</summary>
    void BroadcastAxisAdd(TensorStorage x, TensorStorage y, int outer, int axis, int inner);

    // ---- layout ----
    /// <summary>y = x permuted: y's axis i is x's axis perm[i].</summary>
    void Permute(TensorStorage x, int[] xShape, int[] perm, TensorStorage y, bool accumulate);
    /// <summary>Copies x[o, :, i] (x axis length xAxis) into y[o, offset:offset+xAxis, i] (y axis length yAxis).</summary>
    void CopyIntoAxis(TensorStorage x, int outer, int xAxis, int inner, TensorStorage y, int yAxis, int offset, bool accumulate);
    /// <summary>y[o, 0:len, i] (+)= x[o, start:start+len, i].</summary>
    void CopyFromAxis(TensorStorage x, int outer, int xAxis, int inner, int start, int length, TensorStorage y, bool accumulate);
    /// <summary>y[r, :] = table[ids[r], :] for r &lt; ids.Length; table is [rows, width].</summary>
    void GatherRows(TensorStorage table, int width, ReadOnlySpan<int> ids, TensorStorage y);
    /// <summary>table[ids[r], :] += dy[r, :].</summary>
    void ScatterAddRows(TensorStorage dy, int width, ReadOnlySpan<int> ids, TensorStorage table);
    /// <summary>y[r] = x[r, cols[r]] for x [R,N]; cols[r] &lt; 0 gives 0.</summary>
    void PickColumns(TensorStorage x, int n, ReadOnlySpan<int> cols, TensorStorage y);
    /// <summary>dx[r, cols[r]] += dy[r].</summary>
    void PickColumnsBackward(TensorStorage dy, int n, ReadOnlySpan<int> cols, TensorStorage dx);

    // ---- normalisation and softmax (over the last axis of [R,N]) ----
    void LayerNorm(TensorStorage x, TensorStorage gamma, TensorStorage beta, TensorStorage y,
        TensorStorage mean, TensorStorage rstd, int rows, int n, double eps);
    void LayerNormBackward(TensorStorage x, TensorStorage gamma, TensorStorage mean, TensorStorage rstd,
        TensorStorage dy, TensorStorage? dx, TensorStorage? dgamma, TensorStorage? dbeta, int rows, int n);
    void Softmax(TensorStorage x, TensorStorage y, int rows, int n, bool log);
    void SoftmaxBackward(TensorStorage y, TensorStorage dy, TensorStorage dx, int rows, int n, bool log);

    // ---- fused softmax cross-entropy over rows of logits [R,N] ----
    /// <summary>loss[r] = logsumexp(x[r]) − x[r, targets[r]] (0 where targets[r] &lt; 0); logSumExp [R] kept for backward.</summary>
    void SoftmaxCrossEntropy(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage loss, TensorStorage logSumExp, int rows, int n);
    /// <summary>dx[r, j] += dLoss[r]·(softmax(x[r])_j − [j = targets[r]]).</summary>
    void SoftmaxCrossEntropyBackward(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage logSumExp, TensorStorage dLoss, TensorStorage dLogits, int rows, int n);

    // ---- optimisation ----
    /// <summary>
    /// One AdamW step (decoupled weight decay, bias-corrected moments) on a parameter in place:
    /// p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + eps), m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², step ≥ 1.
    /// </summary>
    void AdamWUpdate(TensorStorage parameter, TensorStorage gradient, TensorStorage m, TensorStorage v,
        double lr, double beta1, double beta2, double eps, double weightDecay, int step);

    /// <summary>Σ x² in float64.</summary>
    double SumOfSquares(TensorStorage x);

    // ---- fused causal self-attention over packed qkv ----
    /// <summary>
    /// qkv [B,T,3C] → out [B,T,C]; probs [B,H,T,T] kept for backward. keyMask [B,T] (1 valid, 0 pad) or null.
    /// Scores are scaled by 1/√D; causal and padding masks exclude keys.
    /// </summary>
    void Attention(TensorStorage qkv, TensorStorage? keyMask, TensorStorage output, TensorStorage probs, int b, int t, int c, int heads);
    void AttentionBackward(TensorStorage qkv, TensorStorage probs, TensorStorage dOutput, TensorStorage dQkv, int b, int t, int c, int heads);

    // ---- rotary position embedding (GPT-J layout) ----
    /// <summary>
    /// x, y [B,T,H·D]: y (+)= x with channel pairs (2i, 2i+1), 2i &lt; rotaryDim, of every head rotated by
    /// θ = t·10000^(−2i/rotaryDim) at position t (by −θ when <paramref name="inverse"/>); other channels copied.
    /// </summary>
    void Rotary(TensorStorage x, TensorStorage y, int b, int t, int heads, int headDim, int rotaryDim, bool inverse, bool accumulate);
}
