using System.Numerics;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>Host backend: managed arrays, SIMD via TensorPrimitives and our packed GEMM, row-parallel loops.</summary>
internal sealed class CpuBackend : IBackend
{
    public string Name => "cpu";

    // F / D: an operand the kernel may write (the write is counted, see CpuStorage.Version);
    // R: a float operand the kernel only reads.
    private static float[] F(TensorStorage s) { RequireComputable(s); return ((CpuStorage<float>)s).Data; }
    private static double[] D(TensorStorage s) { RequireComputable(s); return ((CpuStorage<double>)s).Data; }
    private static float[] R(TensorStorage s) { RequireComputable(s); return ((CpuStorage<float>)s).Values; }
    private static float[]? FOrNull(TensorStorage? s) => s is null ? null : F(s);
    private static double[]? DOrNull(TensorStorage? s) => s is null ? null : D(s);

    private static bool IsF32(TensorStorage s, params TensorStorage?[] others)
    {
        RequireComputable(s);
        foreach (var o in others)
        {
            if (o is null) continue;
            RequireComputable(o);
            if (o.DType != s.DType) throw new ArgumentException($"mixed element types {s.DType} and {o.DType} in one kernel");
        }
        if (s is not CpuStorage<float> and not CpuStorage<double>)
            throw new ArgumentException($"storage of backend {s.Backend.Name} passed to the cpu backend");
        return s.DType == DType.F32;
    }

    private static void RequireComputable(TensorStorage s)
    {
        if (s is CpuHalfStorage)
            throw new NotSupportedException($"a {s.DType} weight is storage only: matrix products, row gathers and conversions read it, " +
                "other kernels need it promoted to F32 first (Tensor.PromoteToF32)");
    }

    public TensorStorage Allocate(DType dtype, long length) => dtype switch
    {
        DType.F32 => new CpuStorage<float>(new float[length], this),
        DType.F64 => new CpuStorage<double>(new double[length], this),
        _ => CpuHalfStorage.Allocate(dtype, length, this),
    };

    public TensorStorage Upload(ReadOnlySpan<float> host) => new CpuStorage<float>(host.ToArray(), this);
    public TensorStorage Upload(ReadOnlySpan<double> host) => new CpuStorage<double>(host.ToArray(), this);

    public void Download(TensorStorage src, Span<float> host)
    {
        if (src is CpuHalfStorage half) half.Widen(0, host[..checked((int)half.Length)]);
        else if (IsF32(src)) R(src).CopyTo(host);
        else { var d = D(src); for (int i = 0; i < d.Length; i++) host[i] = (float)d[i]; }
    }

    public void Download(TensorStorage src, Span<double> host)
    {
        if (src is CpuHalfStorage half)
        {
            var widened = new float[half.Length];
            half.Widen(0, widened);
            for (int i = 0; i < widened.Length; i++) host[i] = widened[i];
        }
        else if (!IsF32(src)) D(src).CopyTo(host);
        else { var f = R(src); for (int i = 0; i < f.Length; i++) host[i] = f[i]; }
    }

    public void Copy(TensorStorage src, long srcOffset, TensorStorage dst, long dstOffset, long count)
    {
        if (src is CpuHalfStorage from && dst is CpuHalfStorage to && from.DType == to.DType)
        {
            from.Bits(srcOffset, checked((int)count)).CopyTo(to.WritableBits(dstOffset, (int)count));
            GC.KeepAlive(from);   // a mapped source stays mapped until the copy has read it
        }
        else if (IsF32(src, dst)) Array.Copy(R(src), srcOffset, F(dst), dstOffset, count);
        else Array.Copy(D(src), srcOffset, D(dst), dstOffset, count);
    }

    public void Fill(TensorStorage dst, double value)
    {
        if (IsF32(dst)) Array.Fill(F(dst), (float)value);
        else Array.Fill(D(dst), value);
    }

    public TensorStorage Convert(TensorStorage src, DType dtype)
    {
        var result = Allocate(dtype, src.Length);
        if (result is CpuHalfStorage half)
        {
            var values = new float[src.Length];
            Download(src, values);
            HalfPrecision.FromSingle(dtype, values, half.WritableBits(0, values.Length));
        }
        else if (dtype == DType.F32) Download(src, F(result));
        else Download(src, D(result));
        return result;
    }

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        TensorStorage a, int lda, long strideA, TensorStorage b, int ldb, long strideB,
        double beta, TensorStorage c, int ldc, long strideC, int batch)
    {
        if (a is CpuHalfStorage || b is CpuHalfStorage)
        {
            // Half-stored weights are widened to pooled fp32 for this product only.
            using var wideA = a is CpuHalfStorage ha ? WidenedOperand.Of(ha, this) : null;
            using var wideB = b is CpuHalfStorage hb ? WidenedOperand.Of(hb, this) : null;
            Gemm(transA, transB, m, n, k, alpha, wideA?.Storage ?? a, lda, strideA, wideB?.Storage ?? b, ldb, strideB, beta, c, ldc, strideC, batch);
            return;
        }
        if (IsF32(a, b, c))
        {
            var weight = (CpuStorage<float>)b;
            if (batch == 1 && PackedWeightCache.TryRun(transA, transB, m, n, k, (float)alpha, R(a), lda, weight, ldb, (float)beta, F(c), ldc))
                return;
            GemmKernels.Gemm(transA, transB, m, n, k, alpha, R(a), lda, strideA, R(b), ldb, strideB, beta, F(c), ldc, strideC, batch);
        }
        else GemmKernels.Gemm(transA, transB, m, n, k, alpha, D(a), lda, strideA, D(b), ldb, strideB, beta, D(c), ldc, strideC, batch);
    }

    public void Unary(UnaryOp op, TensorStorage x, TensorStorage y)
    {
        if (IsF32(x, y)) ElementwiseKernels<float>.Unary(op, R(x), F(y));
        else ElementwiseKernels<double>.Unary(op, D(x), D(y));
    }

    public void UnaryBackward(UnaryOp op, TensorStorage x, TensorStorage y, TensorStorage dy, TensorStorage dx)
    {
        if (IsF32(x, y, dy, dx)) ElementwiseKernels<float>.UnaryBackward(op, F(x), F(y), F(dy), F(dx));
        else ElementwiseKernels<double>.UnaryBackward(op, D(x), D(y), D(dy), D(dx));
    }

    public void Binary(BinaryOp op, TensorStorage a, int[] aShape, TensorStorage b, int[] bShape, TensorStorage y, int[] yShape)
    {
        if (IsF32(a, b, y)) BroadcastKernels<float>.Binary(op, R(a), aShape, R(b), bShape, F(y), yShape);
        else BroadcastKernels<double>.Binary(op, D(a), aShape, D(b), bShape, D(y), yShape);
    }

    public void Axpby(double alpha, TensorStorage x, double beta, TensorStorage y)
    {
        if (IsF32(x, y)) ElementwiseKernels<float>.Axpby((float)alpha, F(x), (float)beta, F(y));
        else ElementwiseKernels<double>.Axpby(alpha, D(x), beta, D(y));
    }

    public void ReduceToShape(TensorStorage src, int[] srcShape, TensorStorage dst, int[] dstShape)
    {
        if (IsF32(src, dst)) BroadcastKernels<float>.ReduceToShape(F(src), srcShape, F(dst), dstShape);
        else BroadcastKernels<double>.ReduceToShape(D(src), srcShape, D(dst), dstShape);
    }

    public void SumAxis(TensorStorage x, TensorStorage y, int outer, int axis, int inner, bool accumulate)
    {
        if (IsF32(x, y)) LayoutKernels<float>.SumAxis(F(x), F(y), outer, axis, inner, accumulate);
        else LayoutKernels<double>.SumAxis(D(x), D(y), outer, axis, inner, accumulate);
    }

    public void BroadcastAxisAdd(TensorStorage x, TensorStorage y, int outer, int axis, int inner)
    {
        if (IsF32(x, y)) LayoutKernels<float>.BroadcastAxisAdd(F(x), F(y), outer, axis, inner);
        else LayoutKernels<double>.BroadcastAxisAdd(D(x), D(y), outer, axis, inner);
    }

    public void Permute(TensorStorage x, int[] xShape, int[] perm, TensorStorage y, bool accumulate)
    {
        if (IsF32(x, y)) LayoutKernels<float>.Permute(R(x), xShape, perm, F(y), accumulate);
        else LayoutKernels<double>.Permute(D(x), xShape, perm, D(y), accumulate);
    }

    public void CopyIntoAxis(TensorStorage x, int outer, int xAxis, int inner, TensorStorage y, int yAxis, int offset, bool accumulate)
    {
        if (IsF32(x, y)) LayoutKernels<float>.CopyIntoAxis(F(x), outer, xAxis, inner, F(y), yAxis, offset, accumulate);
        else LayoutKernels<double>.CopyIntoAxis(D(x), outer, xAxis, inner, D(y), yAxis, offset, accumulate);
    }

    public void CopyFromAxis(TensorStorage x, int outer, int xAxis, int inner, int start, int length, TensorStorage y, bool accumulate)
    {
        if (IsF32(x, y)) LayoutKernels<float>.CopyFromAxis(R(x), outer, xAxis, inner, start, length, F(y), accumulate);
        else LayoutKernels<double>.CopyFromAxis(D(x), outer, xAxis, inner, start, length, D(y), accumulate);
    }

    public void GatherRows(TensorStorage table, int width, ReadOnlySpan<int> ids, TensorStorage y)
    {
        if (table is CpuHalfStorage half) GatherHalfRows(half, width, ids, F(y));
        else if (IsF32(table, y)) LayoutKernels<float>.GatherRows(R(table), width, ids, F(y));
        else LayoutKernels<double>.GatherRows(D(table), width, ids, D(y));
    }

    // y[r] = fp32(table[ids[r]]) for a half-stored embedding table.
    private static void GatherHalfRows(CpuHalfStorage table, int width, ReadOnlySpan<int> ids, float[] y)
    {
        long rows = table.Length / width;
        for (int r = 0; r < ids.Length; r++)
        {
            int id = ids[r];
            if ((uint)id >= rows) throw new ArgumentOutOfRangeException(nameof(ids), $"row index {id} outside [0, {rows})");
            table.Widen((long)id * width, y.AsSpan(r * width, width));
        }
    }

    public void ScatterAddRows(TensorStorage dy, int width, ReadOnlySpan<int> ids, TensorStorage table)
    {
        if (IsF32(dy, table)) LayoutKernels<float>.ScatterAddRows(F(dy), width, ids, F(table));
        else LayoutKernels<double>.ScatterAddRows(D(dy), width, ids, D(table));
    }

    public void PickColumns(TensorStorage x, int n, ReadOnlySpan<int> cols, TensorStorage y)
    {
        if (IsF32(x, y)) LayoutKernels<float>.PickColumns(F(x), n, cols, F(y));
        else LayoutKernels<double>.PickColumns(D(x), n, cols, D(y));
    }

    public void PickColumnsBackward(TensorStorage dy, int n, ReadOnlySpan<int> cols, TensorStorage dx)
    {
        if (IsF32(dy, dx)) LayoutKernels<float>.PickColumnsBackward(F(dy), n, cols, F(dx));
        else LayoutKernels<double>.PickColumnsBackward(D(dy), n, cols, D(dx));
    }

    public void LayerNorm(TensorStorage x, TensorStorage gamma, TensorStorage beta, TensorStorage y,
        TensorStorage mean, TensorStorage rstd, int rows, int n, double eps)
    {
        if (IsF32(x, gamma, beta, y, mean, rstd)) NormalizationKernels<float>.LayerNorm(R(x), R(gamma), R(beta), F(y), F(mean), F(rstd), rows, n, (float)eps);
        else NormalizationKernels<double>.LayerNorm(D(x), D(gamma), D(beta), D(y), D(mean), D(rstd), rows, n, eps);
    }

    public void LayerNormBackward(TensorStorage x, TensorStorage gamma, TensorStorage mean, TensorStorage rstd,
        TensorStorage dy, TensorStorage? dx, TensorStorage? dgamma, TensorStorage? dbeta, int rows, int n)
    {
        if (IsF32(x, gamma, mean, rstd, dy, dx, dgamma, dbeta))
            NormalizationKernels<float>.LayerNormBackward(F(x), F(gamma), F(mean), F(rstd), F(dy), FOrNull(dx), FOrNull(dgamma), FOrNull(dbeta), rows, n);
        else
            NormalizationKernels<double>.LayerNormBackward(D(x), D(gamma), D(mean), D(rstd), D(dy), DOrNull(dx), DOrNull(dgamma), DOrNull(dbeta), rows, n);
    }

    public void Softmax(TensorStorage x, TensorStorage y, int rows, int n, bool log)
    {
        if (IsF32(x, y)) NormalizationKernels<float>.Softmax(F(x), F(y), rows, n, log);
        else NormalizationKernels<double>.Softmax(D(x), D(y), rows, n, log);
    }

    public void SoftmaxBackward(TensorStorage y, TensorStorage dy, TensorStorage dx, int rows, int n, bool log)
    {
        if (IsF32(y, dy, dx)) NormalizationKernels<float>.SoftmaxBackward(F(y), F(dy), F(dx), rows, n, log);
        else NormalizationKernels<double>.SoftmaxBackward(D(y), D(dy), D(dx), rows, n, log);
    }

    public void Attention(TensorStorage qkv, TensorStorage? keyMask, TensorStorage output, TensorStorage probs, int b, int t, int c, int heads)
    {
        if (IsF32(qkv, keyMask, output, probs)) AttentionGemm.Forward(R(qkv), keyMask is null ? null : R(keyMask), F(output), F(probs), b, t, c, heads);
        else AttentionKernels<double>.Forward(D(qkv), DOrNull(keyMask), D(output), D(probs), b, t, c, heads);
    }

    public void AttentionBackward(TensorStorage qkv, TensorStorage probs, TensorStorage dOutput, TensorStorage dQkv, int b, int t, int c, int heads)
    {
        if (IsF32(qkv, probs, dOutput, dQkv)) AttentionGemm.Backward(R(qkv), R(probs), R(dOutput), F(dQkv), b, t, c, heads);
        else AttentionKernels<double>.Backward(D(qkv), D(probs), D(dOutput), D(dQkv), b, t, c, heads);
    }

    public void Rotary(TensorStorage x, TensorStorage y, int b, int t, int heads, int headDim, int rotaryDim, bool inverse, bool accumulate)
    {
        if (IsF32(x, y)) RotaryKernels<float>.Apply(F(x), F(y), b, t, heads, headDim, rotaryDim, inverse, accumulate);
        else RotaryKernels<double>.Apply(D(x), D(y), b, t, heads, headDim, rotaryDim, inverse, accumulate);
    }

    public void SoftmaxCrossEntropy(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage loss, TensorStorage logSumExp, int rows, int n)
    {
        var t = targets.ToArray();
        if (IsF32(logits, loss, logSumExp)) TrainingKernels<float>.SoftmaxCrossEntropy(F(logits), t, F(loss), F(logSumExp), rows, n);
        else TrainingKernels<double>.SoftmaxCrossEntropy(D(logits), t, D(loss), D(logSumExp), rows, n);
    }

    public void SoftmaxCrossEntropyBackward(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage logSumExp, TensorStorage dLoss, TensorStorage dLogits, int rows, int n)
    {
        var t = targets.ToArray();
        if (IsF32(logits, logSumExp, dLoss, dLogits)) TrainingKernels<float>.SoftmaxCrossEntropyBackward(F(logits), t, F(logSumExp), F(dLoss), F(dLogits), rows, n);
        else TrainingKernels<double>.SoftmaxCrossEntropyBackward(D(logits), t, D(logSumExp), D(dLoss), D(dLogits), rows, n);
    }

    public void AdamWUpdate(TensorStorage parameter, TensorStorage gradient, TensorStorage m, TensorStorage v,
        double lr, double beta1, double beta2, double eps, double weightDecay, int step)
    {
        if (IsF32(parameter, gradient, m, v)) TrainingKernels<float>.AdamW(F(parameter), F(gradient), F(m), F(v), lr, beta1, beta2, eps, weightDecay, step);
        else TrainingKernels<double>.AdamW(D(parameter), D(gradient), D(m), D(v), lr, beta1, beta2, eps, weightDecay, step);
    }

    public double SumOfSquares(TensorStorage x) =>
        IsF32(x) ? TrainingKernels<float>.SumOfSquares(F(x)) : TrainingKernels<double>.SumOfSquares(D(x));
}
