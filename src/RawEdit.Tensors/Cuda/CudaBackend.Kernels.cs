using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tensors.Cuda;

// The compute kernels of the CUDA backend: argument marshalling and launch shapes; the arithmetic is in Cuda/Kernels.
public sealed partial class CudaBackend
{
    private const uint RowBlock = 256;   // threads of the one-block-per-row kernels (a multiple of 32)

    private KernelArguments Scalar(KernelArguments arguments, string suffix, double value) =>
        suffix == "_f32" ? arguments.Float((float)value) : arguments.Double(value);

    private void PerRow(string kernel, int rows, KernelArguments arguments)
    {
        if (rows > 0) Device.Launch(kernel, ((uint)rows, 1, 1), RowBlock, 0, arguments);
    }

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        TensorStorage a, int lda, long strideA, TensorStorage b, int ldb, long strideB,
        double beta, TensorStorage c, int ldc, long strideC, int batch)
    {
        if (m == 0 || n == 0 || batch == 0) return;
        // bf16 tensor cores when the user allows them: fp32, bf16 and f16 operands are read as stored (gemm_bf16.cu).
        if (AllowBf16 && Device.ComputeCapability.Major >= 8 && c.DType == DType.F32 && Bf16Kind(a) >= 0 && Bf16Kind(b) >= 0)
        {
            Suffix(c);
            var bf16 = new KernelArguments().Int(transA ? 1 : 0).Int(transB ? 1 : 0).Int(m).Int(n).Int(k).Float((float)alpha)
                .Pointer(S(a).Pointer).Int(Bf16Kind(a)).Int(lda).Long(strideA).Pointer(S(b).Pointer).Int(Bf16Kind(b)).Int(ldb).Long(strideB)
                .Float((float)beta).Pointer(P(c)).Int(ldc).Long(strideC);
            Device.Launch("gemm_bf16_f32", ((uint)((n + 127) / 128), (uint)((m + 127) / 128), (uint)batch), 256, 0, bf16);
            return;
        }
        // Half-stored weights are widened to an fp32 copy for this product only (as the CPU's WidenedOperand).
        if (a.DType.IsStorageOnly() || b.DType.IsStorageOnly())
        {
            var wideA = a.DType.IsStorageOnly() ? Convert(a, DType.F32) : a;
            var wideB = b.DType.IsStorageOnly() ? Convert(b, DType.F32) : b;
            Gemm(transA, transB, m, n, k, alpha, wideA, lda, strideA, wideB, ldb, strideB, beta, c, ldc, strideC, batch);
            GC.KeepAlive(wideA);
            GC.KeepAlive(wideB);
            return;
        }
        var suffix = Suffix(a, b, c);
        var arguments = new KernelArguments().Int(transA ? 1 : 0).Int(transB ? 1 : 0).Int(m).Int(n).Int(k);
        arguments = Scalar(arguments, suffix, alpha).Pointer(P(a)).Int(lda).Long(strideA).Pointer(P(b)).Int(ldb).Long(strideB);
        arguments = Scalar(arguments, suffix, beta).Pointer(P(c)).Int(ldc).Long(strideC);
        // fp32: the tensor cores when TF32 is allowed (gemm_tf32.cu); else products of at least 128 × 128 take the
        // 128-tile kernel (gemm_large.cu), the rest the 64-tile one.
        if (suffix == "_f32" && AllowTf32 && Device.ComputeCapability.Major >= 8)
            Device.Launch("gemm_tf32_f32", ((uint)((n + 127) / 128), (uint)((m + 127) / 128), (uint)batch), 256, 0, arguments);
        else if (suffix == "_f32" && m >= 128 && n >= 128)
            Device.Launch("gemm_large_f32", ((uint)((n + 127) / 128), (uint)((m + 127) / 128), (uint)batch), 256, 0, arguments);
        else
            Device.Launch("gemm" + suffix, ((uint)((n + 63) / 64), (uint)((m + 63) / 64), (uint)batch), 256, 0, arguments);
    }

    /// <summary>gemm_bf16_f32's operand kind: 0 fp32, 1 bf16, 2 f16; −1 for fp64, which never takes that kernel.</summary>
    private static int Bf16Kind(TensorStorage s) => s.DType switch { DType.F32 => 0, DType.BF16 => 1, DType.F16 => 2, _ => -1 };

    public void Unary(UnaryOp op, TensorStorage x, TensorStorage y) =>
        Device.LaunchElementwise("unary" + Suffix(x, y), x.Length, new KernelArguments().Int((int)op).Pointer(P(x)).Pointer(P(y)).Long(x.Length));

    public void UnaryBackward(UnaryOp op, TensorStorage x, TensorStorage y, TensorStorage dy, TensorStorage dx) =>
        Device.LaunchElementwise("unary_backward" + Suffix(x, y, dy, dx), x.Length,
            new KernelArguments().Int((int)op).Pointer(P(x)).Pointer(P(y)).Pointer(P(dy)).Pointer(P(dx)).Long(x.Length));

    public void Binary(BinaryOp op, TensorStorage a, int[] aShape, TensorStorage b, int[] bShape, TensorStorage y, int[] yShape)
    {
        var suffix = Suffix(a, b, y);
        var outShape = yShape.Length == 0 ? [1] : yShape;
        var aStrides = BroadcastKernels<float>.StridesIn(aShape.Length == 0 ? [1] : aShape, outShape);
        var bStrides = BroadcastKernels<float>.StridesIn(bShape.Length == 0 ? [1] : bShape, outShape);
        Device.LaunchElementwise("binary" + suffix, y.Length, new KernelArguments().Int((int)op)
            .Pointer(P(a)).Dims(KernelDims.Of(aStrides)).Pointer(P(b)).Dims(KernelDims.Of(bStrides))
            .Pointer(P(y)).Dims(KernelDims.Of(outShape.Select(s => (long)s).ToArray())).Long(y.Length));
    }

    public void Axpby(double alpha, TensorStorage x, double beta, TensorStorage y)
    {
        var suffix = Suffix(x, y);
        var arguments = Scalar(new KernelArguments(), suffix, alpha).Pointer(P(x));
        Device.LaunchElementwise("axpby" + suffix, x.Length, Scalar(arguments, suffix, beta).Pointer(P(y)).Long(x.Length));
    }

    public void ReduceToShape(TensorStorage src, int[] srcShape, TensorStorage dst, int[] dstShape)
    {
        var suffix = Suffix(src, dst);
        int rank = srcShape.Length;
        var strides = new long[rank];
        for (long s = 1, i = rank - 1; i >= 0; i--) { strides[i] = s; s *= srcShape[i]; }
        var kept = new List<int>();
        var reduced = new List<int>();
        for (int axis = 0; axis < rank; axis++)
        {
            int dstAxis = axis - (rank - dstShape.Length);
            int dstSize = dstAxis >= 0 ? dstShape[dstAxis] : 1;
            if (dstSize == srcShape[axis] && dstAxis >= 0) kept.Add(axis);
            else if (dstSize == 1) reduced.Add(axis);
            else throw new ArgumentException($"cannot reduce [{string.Join(", ", srcShape)}] to [{string.Join(", ", dstShape)}]");
        }
        long reducedCount = reduced.Aggregate(1L, (p, a) => p * srcShape[a]);
        Device.LaunchElementwise("reduce_to_shape" + suffix, dst.Length, new KernelArguments().Pointer(P(src)).Dims(KernelDims.Of(strides))
            .Dims(KernelDims.Of(kept.Select(a => (long)srcShape[a]).ToArray())).Dims(KernelDims.Of(kept.Select(a => (long)a).ToArray()))
            .Dims(KernelDims.Of(reduced.Select(a => (long)srcShape[a]).ToArray())).Dims(KernelDims.Of(reduced.Select(a => (long)a).ToArray()))
            .Pointer(P(dst)).Long(dst.Length).Long(reducedCount));
    }

    public void SumAxis(TensorStorage x, TensorStorage y, int outer, int axis, int inner, bool accumulate) =>
        Device.LaunchElementwise("sum_axis" + Suffix(x, y), (long)outer * inner,
            new KernelArguments().Pointer(P(x)).Pointer(P(y)).Int(outer).Int(axis).Int(inner).Int(accumulate ? 1 : 0));

    public void BroadcastAxisAdd(TensorStorage x, TensorStorage y, int outer, int axis, int inner) =>
        Device.LaunchElementwise("broadcast_axis_add" + Suffix(x, y), (long)outer * axis * inner,
            new KernelArguments().Pointer(P(x)).Pointer(P(y)).Int(outer).Int(axis).Int(inner));

    public void Permute(TensorStorage x, int[] xShape, int[] perm, TensorStorage y, bool accumulate)
    {
        var suffix = Suffix(x, y);
        int rank = xShape.Length;
        var xStrides = new long[rank];
        for (long s = 1, i = rank - 1; i >= 0; i--) { xStrides[i] = s; s *= xShape[i]; }
        Device.LaunchElementwise("permute" + suffix, y.Length, new KernelArguments().Pointer(P(x))
            .Dims(KernelDims.Of(perm.Select(p => (long)xShape[p]).ToArray())).Dims(KernelDims.Of(perm.Select(p => xStrides[p]).ToArray()))
            .Pointer(P(y)).Long(y.Length).Int(accumulate ? 1 : 0));
    }

    public void CopyIntoAxis(TensorStorage x, int outer, int xAxis, int inner, TensorStorage y, int yAxis, int offset, bool accumulate) =>
        Device.LaunchElementwise("copy_into_axis" + Suffix(x, y), (long)outer * xAxis * inner, new KernelArguments().Pointer(P(x))
            .Int(outer).Int(xAxis).Int(inner).Pointer(P(y)).Int(yAxis).Int(offset).Int(accumulate ? 1 : 0));

    public void CopyFromAxis(TensorStorage x, int outer, int xAxis, int inner, int start, int length, TensorStorage y, bool accumulate) =>
        Device.LaunchElementwise("copy_from_axis" + Suffix(x, y), (long)outer * length * inner, new KernelArguments().Pointer(P(x))
            .Int(outer).Int(xAxis).Int(inner).Int(start).Int(length).Pointer(P(y)).Int(accumulate ? 1 : 0));

    public void GatherRows(TensorStorage table, int width, ReadOnlySpan<int> ids, TensorStorage y)
    {
        long rows = table.Length / width;
        foreach (int id in ids)
            if ((uint)id >= rows) throw new ArgumentOutOfRangeException(nameof(ids), $"row index {id} outside [0, {rows})");
        string kernel = table.DType switch
        {
            DType.F16 => "gather_rows_f16",
            DType.BF16 => "gather_rows_bf16",
            _ => "gather_rows" + Suffix(table, y),
        };
        var list = Indices(ids);
        Device.LaunchElementwise(kernel, (long)ids.Length * width, new KernelArguments().Pointer(P(table)).Int(width).Pointer(list.Pointer).Int(ids.Length).Pointer(P(y)));
        GC.KeepAlive(list);
    }

    public void ScatterAddRows(TensorStorage dy, int width, ReadOnlySpan<int> ids, TensorStorage table)
    {
        var list = Indices(ids);
        Device.LaunchElementwise("scatter_add_rows" + Suffix(dy, table), width, new KernelArguments().Pointer(P(dy)).Int(width).Pointer(list.Pointer).Int(ids.Length).Pointer(P(table)));
        GC.KeepAlive(list);
    }

    public void PickColumns(TensorStorage x, int n, ReadOnlySpan<int> cols, TensorStorage y)
    {
        var list = Indices(cols);
        Device.LaunchElementwise("pick_columns" + Suffix(x, y), cols.Length, new KernelArguments().Pointer(P(x)).Int(n).Pointer(list.Pointer).Int(cols.Length).Pointer(P(y)));
        GC.KeepAlive(list);
    }

    public void PickColumnsBackward(TensorStorage dy, int n, ReadOnlySpan<int> cols, TensorStorage dx)
    {
        var list = Indices(cols);
        Device.LaunchElementwise("pick_columns_backward" + Suffix(dy, dx), cols.Length, new KernelArguments().Pointer(P(dy)).Int(n).Pointer(list.Pointer).Int(cols.Length).Pointer(P(dx)));
        GC.KeepAlive(list);
    }

    public void LayerNorm(TensorStorage x, TensorStorage gamma, TensorStorage beta, TensorStorage y, TensorStorage mean, TensorStorage rstd, int rows, int n, double eps)
    {
        var suffix = Suffix(x, gamma, beta, y, mean, rstd);
        PerRow("layer_norm" + suffix, rows, Scalar(new KernelArguments().Pointer(P(x)).Pointer(P(gamma)).Pointer(P(beta)).Pointer(P(y))
            .Pointer(P(mean)).Pointer(P(rstd)).Int(n), suffix, eps));
    }

    public void LayerNormBackward(TensorStorage x, TensorStorage gamma, TensorStorage mean, TensorStorage rstd,
        TensorStorage dy, TensorStorage? dx, TensorStorage? dgamma, TensorStorage? dbeta, int rows, int n)
    {
        var suffix = Suffix(x, gamma, mean, rstd, dy, dx, dgamma, dbeta);
        if (dx is not null)
            PerRow("layer_norm_backward_dx" + suffix, rows, new KernelArguments().Pointer(P(x)).Pointer(P(gamma)).Pointer(P(mean)).Pointer(P(rstd))
                .Pointer(P(dy)).Pointer(P(dx)).Int(n));
        if (dgamma is not null || dbeta is not null)
            Device.LaunchElementwise("layer_norm_backward_params" + suffix, n, new KernelArguments().Pointer(P(x)).Pointer(P(mean)).Pointer(P(rstd))
                .Pointer(P(dy)).Pointer(P(dgamma)).Pointer(P(dbeta)).Int(rows).Int(n));
    }

    public void Softmax(TensorStorage x, TensorStorage y, int rows, int n, bool log) =>
        PerRow("softmax" + Suffix(x, y), rows, new KernelArguments().Pointer(P(x)).Pointer(P(y)).Int(n).Int(log ? 1 : 0));

    public void SoftmaxBackward(TensorStorage y, TensorStorage dy, TensorStorage dx, int rows, int n, bool log) =>
        PerRow("softmax_backward" + Suffix(y, dy, dx), rows, new KernelArguments().Pointer(P(y)).Pointer(P(dy)).Pointer(P(dx)).Int(n).Int(log ? 1 : 0));

    public void SoftmaxCrossEntropy(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage loss, TensorStorage logSumExp, int rows, int n)
    {
        var list = Indices(targets);
        PerRow("cross_entropy" + Suffix(logits, loss, logSumExp), rows, new KernelArguments().Pointer(P(logits)).Pointer(list.Pointer)
            .Pointer(P(loss)).Pointer(P(logSumExp)).Int(n));
        GC.KeepAlive(list);
    }

    public void SoftmaxCrossEntropyBackward(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage logSumExp, TensorStorage dLoss, TensorStorage dLogits, int rows, int n)
    {
        var list = Indices(targets);
        PerRow("cross_entropy_backward" + Suffix(logits, logSumExp, dLoss, dLogits), rows, new KernelArguments().Pointer(P(logits)).Pointer(list.Pointer)
            .Pointer(P(logSumExp)).Pointer(P(dLoss)).Pointer(P(dLogits)).Int(n));
        GC.KeepAlive(list);
    }

    public void AdamWUpdate(TensorStorage parameter, TensorStorage gradient, TensorStorage m, TensorStorage v,
        double lr, double beta1, double beta2, double eps, double weightDecay, int step)
    {
        var suffix = Suffix(parameter, gradient, m, v);
        var arguments = new KernelArguments().Pointer(P(parameter)).Pointer(P(gradient)).Pointer(P(m)).Pointer(P(v)).Long(parameter.Length);
        foreach (double value in new[] { beta1, beta2, 1 - lr * weightDecay, lr / (1 - Math.Pow(beta1, step)), 1 / Math.Sqrt(1 - Math.Pow(beta2, step)), eps })
            arguments = Scalar(arguments, suffix, value);
        Device.LaunchElementwise("adamw" + suffix, parameter.Length, arguments);
    }

    public double SumOfSquares(TensorStorage x)
    {
        var suffix = Suffix(x);
        if (x.Length == 0) return 0;
        int blocks = (int)Math.Min((x.Length + 255) / 256, 4L * Device.Multiprocessors);
        var partial = new CudaStorage(this, DType.F64, blocks);
        Device.Launch("sum_of_squares" + suffix, ((uint)blocks, 1, 1), 256, 0, new KernelArguments().Pointer(P(x)).Long(x.Length).Pointer(partial.Pointer));
        var host = new double[blocks];
        Download(partial, host);
        double total = 0;
        foreach (double p in host) total += p;
        return total;
    }

    public void Attention(TensorStorage qkv, TensorStorage? keyMask, TensorStorage output, TensorStorage probs, int b, int t, int c, int heads)
    {
        var suffix = Suffix(qkv, keyMask, output, probs);
        PerRow("attention_probs" + suffix, b * heads * t, new KernelArguments().Pointer(P(qkv)).Pointer(P(keyMask)).Pointer(P(probs)).Int(t).Int(c).Int(heads));
        Device.LaunchElementwise("attention_output" + suffix, (long)b * t * c, new KernelArguments().Pointer(P(qkv)).Pointer(P(probs)).Pointer(P(output))
            .Int(b).Int(t).Int(c).Int(heads));
    }

    public void AttentionBackward(TensorStorage qkv, TensorStorage probs, TensorStorage dOutput, TensorStorage dQkv, int b, int t, int c, int heads)
    {
        var suffix = Suffix(qkv, probs, dOutput, dQkv);
        var dScores = new CudaStorage(this, qkv.DType, probs.Length);
        PerRow("attention_dscores" + suffix, b * heads * t, new KernelArguments().Pointer(P(qkv)).Pointer(P(probs)).Pointer(P(dOutput))
            .Pointer(dScores.Pointer).Int(t).Int(c).Int(heads));
        Device.LaunchElementwise("attention_dqkv" + suffix, (long)b * t * 3 * c, new KernelArguments().Pointer(P(qkv)).Pointer(P(probs))
            .Pointer(dScores.Pointer).Pointer(P(dOutput)).Pointer(P(dQkv)).Int(b).Int(t).Int(c).Int(heads));
        GC.KeepAlive(dScores);
    }

    public void Rotary(TensorStorage x, TensorStorage y, int b, int t, int heads, int headDim, int rotaryDim, bool inverse, bool accumulate) =>
        Device.LaunchElementwise("rotary" + Suffix(x, y), (long)b * t * heads * headDim, new KernelArguments().Pointer(P(x)).Pointer(P(y))
            .Int(b).Int(t).Int(heads).Int(headDim).Int(rotaryDim).Int(inverse ? 1 : 0).Int(accumulate ? 1 : 0));
}
