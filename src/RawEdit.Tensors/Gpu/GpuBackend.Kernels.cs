using ILGPU;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tensors.Gpu;

// The compute ops: launch shapes and argument marshalling; the arithmetic is in Gpu/Kernels. Each op dispatches on the
// element type to the fp32 or fp64 instance of one generic kernel.
internal sealed partial class GpuBackend
{
    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        TensorStorage a, int lda, long strideA, TensorStorage b, int ldb, long strideB,
        double beta, TensorStorage c, int ldc, long strideC, int batch)
    {
        if (m == 0 || n == 0 || batch == 0) return;
        var shape = new GemmShape
        {
            TransA = transA ? 1 : 0, TransB = transB ? 1 : 0, M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
            StrideA = strideA, StrideB = strideB, StrideC = strideC,
        };
        if (GemmDispatch.TryTensorCores(this, shape, alpha, a, b, beta, c, batch)) return;
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
        if (IsF32(a, b, c)) GemmDispatch.Fp32(Device, shape, (float)alpha, V<float>(a), V<float>(b), (float)beta, V<float>(c), batch);
        else GemmDispatch.Plain(Device, shape, alpha, V<double>(a), V<double>(b), beta, V<double>(c), batch);
    }

    public void Unary(UnaryOp op, TensorStorage x, TensorStorage y)
    {
        if (x.Length == 0) return;
        var config = Device.ElementwiseConfig(x.Length);
        if (IsF32(x, y)) Accelerator.Launch(ElementwiseKernels.Unary<float, Real32>, config, (int)op, V<float>(x), V<float>(y), x.Length);
        else Accelerator.Launch(ElementwiseKernels.Unary<double, Real64>, config, (int)op, V<double>(x), V<double>(y), x.Length);
    }

    public void UnaryBackward(UnaryOp op, TensorStorage x, TensorStorage y, TensorStorage dy, TensorStorage dx)
    {
        if (x.Length == 0) return;
        var config = Device.ElementwiseConfig(x.Length);
        if (IsF32(x, y, dy, dx))
            Accelerator.Launch(ElementwiseKernels.UnaryBackward<float, Real32>, config, (int)op, V<float>(x), V<float>(y), V<float>(dy), V<float>(dx), x.Length);
        else
            Accelerator.Launch(ElementwiseKernels.UnaryBackward<double, Real64>, config, (int)op, V<double>(x), V<double>(y), V<double>(dy), V<double>(dx), x.Length);
    }

    public void Binary(BinaryOp op, TensorStorage a, int[] aShape, TensorStorage b, int[] bShape, TensorStorage y, int[] yShape)
    {
        if (y.Length == 0) return;
        var outShape = yShape.Length == 0 ? [1] : yShape;
        var aStrides = Dims.Of(BroadcastKernels<float>.StridesIn(aShape.Length == 0 ? [1] : aShape, outShape));
        var bStrides = Dims.Of(BroadcastKernels<float>.StridesIn(bShape.Length == 0 ? [1] : bShape, outShape));
        var shape = Dims.Of(outShape);
        var config = Device.ElementwiseConfig(y.Length);
        if (IsF32(a, b, y))
            Accelerator.Launch(ElementwiseKernels.Binary, config, (int)op, V<float>(a), aStrides, V<float>(b), bStrides, V<float>(y), shape, y.Length);
        else
            Accelerator.Launch(ElementwiseKernels.Binary, config, (int)op, V<double>(a), aStrides, V<double>(b), bStrides, V<double>(y), shape, y.Length);
    }

    public void Axpby(double alpha, TensorStorage x, double beta, TensorStorage y)
    {
        if (x.Length == 0) return;
        var config = Device.ElementwiseConfig(x.Length);
        if (IsF32(x, y)) Accelerator.Launch(ElementwiseKernels.Axpby, config, (float)alpha, V<float>(x), (float)beta, V<float>(y), x.Length);
        else Accelerator.Launch(ElementwiseKernels.Axpby, config, alpha, V<double>(x), beta, V<double>(y), x.Length);
    }

    public void ReduceToShape(TensorStorage src, int[] srcShape, TensorStorage dst, int[] dstShape)
    {
        int rank = srcShape.Length;
        var strides = BroadcastKernels<float>.StridesIn(srcShape, srcShape);   // row-major: a shape seen in itself
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
        if (dst.Length == 0) return;
        long reducedCount = reduced.Aggregate(1L, (p, a) => p * srcShape[a]);
        var (srcStrides, keptShape, keptAxes) = (Dims.Of(strides), Dims.Of(kept.Select(a => srcShape[a]).ToArray()), Dims.Of(kept));
        var (reducedShape, reducedAxes) = (Dims.Of(reduced.Select(a => srcShape[a]).ToArray()), Dims.Of(reduced));
        var config = Device.ElementwiseConfig(dst.Length);
        if (IsF32(src, dst))
            Accelerator.Launch(ReductionKernels.ReduceToShape, config, V<float>(src), srcStrides, keptShape, keptAxes, reducedShape, reducedAxes, V<float>(dst), dst.Length, reducedCount);
        else
            Accelerator.Launch(ReductionKernels.ReduceToShape, config, V<double>(src), srcStrides, keptShape, keptAxes, reducedShape, reducedAxes, V<double>(dst), dst.Length, reducedCount);
    }

    public void SumAxis(TensorStorage x, TensorStorage y, int outer, int axis, int inner, bool accumulate)
    {
        if (y.Length == 0) return;
        var config = Device.ElementwiseConfig((long)outer * inner);
        if (IsF32(x, y)) Accelerator.Launch(ReductionKernels.SumAxis, config, V<float>(x), V<float>(y), outer, axis, inner, accumulate ? 1 : 0);
        else Accelerator.Launch(ReductionKernels.SumAxis, config, V<double>(x), V<double>(y), outer, axis, inner, accumulate ? 1 : 0);
    }

    public void BroadcastAxisAdd(TensorStorage x, TensorStorage y, int outer, int axis, int inner)
    {
        if (y.Length == 0) return;
        var config = Device.ElementwiseConfig(y.Length);
        if (IsF32(x, y)) Accelerator.Launch(ReductionKernels.BroadcastAxisAdd, config, V<float>(x), V<float>(y), outer, axis, inner);
        else Accelerator.Launch(ReductionKernels.BroadcastAxisAdd, config, V<double>(x), V<double>(y), outer, axis, inner);
    }

    public void Permute(TensorStorage x, int[] xShape, int[] perm, TensorStorage y, bool accumulate)
    {
        var xStrides = BroadcastKernels<float>.StridesIn(xShape, xShape);   // row-major: a shape seen in itself
        if (y.Length == 0) return;
        var (yShape, permutedStrides) = (Dims.Of(perm.Select(p => xShape[p]).ToArray()), Dims.Of(perm.Select(p => xStrides[p]).ToArray()));
        var config = Device.ElementwiseConfig(y.Length);
        if (IsF32(x, y)) Accelerator.Launch(LayoutKernels.Permute, config, V<float>(x), yShape, permutedStrides, V<float>(y), y.Length, accumulate ? 1 : 0);
        else Accelerator.Launch(LayoutKernels.Permute, config, V<double>(x), yShape, permutedStrides, V<double>(y), y.Length, accumulate ? 1 : 0);
    }

    public void CopyIntoAxis(TensorStorage x, int outer, int xAxis, int inner, TensorStorage y, int yAxis, int offset, bool accumulate)
    {
        if (x.Length == 0) return;
        var config = Device.ElementwiseConfig(x.Length);
        if (IsF32(x, y)) Accelerator.Launch(LayoutKernels.CopyIntoAxis, config, V<float>(x), outer, xAxis, inner, V<float>(y), yAxis, offset, accumulate ? 1 : 0);
        else Accelerator.Launch(LayoutKernels.CopyIntoAxis, config, V<double>(x), outer, xAxis, inner, V<double>(y), yAxis, offset, accumulate ? 1 : 0);
    }

    public void CopyFromAxis(TensorStorage x, int outer, int xAxis, int inner, int start, int length, TensorStorage y, bool accumulate)
    {
        if (y.Length == 0) return;
        var config = Device.ElementwiseConfig(y.Length);
        if (IsF32(x, y)) Accelerator.Launch(LayoutKernels.CopyFromAxis, config, V<float>(x), outer, xAxis, inner, start, length, V<float>(y), accumulate ? 1 : 0);
        else Accelerator.Launch(LayoutKernels.CopyFromAxis, config, V<double>(x), outer, xAxis, inner, start, length, V<double>(y), accumulate ? 1 : 0);
    }

    public void GatherRows(TensorStorage table, int width, ReadOnlySpan<int> ids, TensorStorage y)
    {
        long rows = table.Length / width;
        foreach (int id in ids)
            if ((uint)id >= rows) throw new ArgumentOutOfRangeException(nameof(ids), $"row index {id} outside [0, {rows})");
        if (ids.Length == 0 || width == 0) return;
        var list = Indices(ids);
        var config = Device.ElementwiseConfig((long)ids.Length * width);
        switch (table.DType)
        {
            case DType.F16:
                IsF32(y);
                Accelerator.Launch(LayoutKernels.GatherRowsF16, config, V<ushort>(table), width, list.View<int>(), ids.Length, V<float>(y));
                break;
            case DType.BF16:
                IsF32(y);
                Accelerator.Launch(LayoutKernels.GatherRowsBF16, config, V<ushort>(table), width, list.View<int>(), ids.Length, V<float>(y));
                break;
            default:
                if (IsF32(table, y)) Accelerator.Launch(LayoutKernels.GatherRows, config, V<float>(table), width, list.View<int>(), ids.Length, V<float>(y));
                else Accelerator.Launch(LayoutKernels.GatherRows, config, V<double>(table), width, list.View<int>(), ids.Length, V<double>(y));
                break;
        }
        GC.KeepAlive(list);
    }

    public void ScatterAddRows(TensorStorage dy, int width, ReadOnlySpan<int> ids, TensorStorage table)
    {
        if (ids.Length == 0 || width == 0) return;
        var list = Indices(ids);
        var config = Device.ElementwiseConfig(width);
        if (IsF32(dy, table)) Accelerator.Launch(LayoutKernels.ScatterAddRows, config, V<float>(dy), width, list.View<int>(), ids.Length, V<float>(table));
        else Accelerator.Launch(LayoutKernels.ScatterAddRows, config, V<double>(dy), width, list.View<int>(), ids.Length, V<double>(table));
        GC.KeepAlive(list);
    }

    public void PickColumns(TensorStorage x, int n, ReadOnlySpan<int> cols, TensorStorage y)
    {
        if (cols.Length == 0) return;
        var list = Indices(cols);
        var config = Device.ElementwiseConfig(cols.Length);
        if (IsF32(x, y)) Accelerator.Launch(LayoutKernels.PickColumns, config, V<float>(x), n, list.View<int>(), cols.Length, V<float>(y));
        else Accelerator.Launch(LayoutKernels.PickColumns, config, V<double>(x), n, list.View<int>(), cols.Length, V<double>(y));
        GC.KeepAlive(list);
    }

    public void PickColumnsBackward(TensorStorage dy, int n, ReadOnlySpan<int> cols, TensorStorage dx)
    {
        if (cols.Length == 0) return;
        var list = Indices(cols);
        var config = Device.ElementwiseConfig(cols.Length);
        if (IsF32(dy, dx)) Accelerator.Launch(LayoutKernels.PickColumnsBackward, config, V<float>(dy), n, list.View<int>(), cols.Length, V<float>(dx));
        else Accelerator.Launch(LayoutKernels.PickColumnsBackward, config, V<double>(dy), n, list.View<int>(), cols.Length, V<double>(dx));
        GC.KeepAlive(list);
    }

    public void LayerNorm(TensorStorage x, TensorStorage gamma, TensorStorage beta, TensorStorage y, TensorStorage mean, TensorStorage rstd, int rows, int n, double eps)
    {
        if (rows == 0) return;
        var config = Device.PerRowConfig(rows);
        if (IsF32(x, gamma, beta, y, mean, rstd))
            Accelerator.Launch(NormalizationKernels.LayerNorm<float, Real32>, config, V<float>(x), V<float>(gamma), V<float>(beta), V<float>(y), V<float>(mean), V<float>(rstd), rows, n, (float)eps);
        else
            Accelerator.Launch(NormalizationKernels.LayerNorm<double, Real64>, config, V<double>(x), V<double>(gamma), V<double>(beta), V<double>(y), V<double>(mean), V<double>(rstd), rows, n, eps);
    }

    public void LayerNormBackward(TensorStorage x, TensorStorage gamma, TensorStorage mean, TensorStorage rstd,
        TensorStorage dy, TensorStorage? dx, TensorStorage? dgamma, TensorStorage? dbeta, int rows, int n)
    {
        if (rows == 0) return;
        bool f32 = IsF32(x, gamma, mean, rstd, dy, dx, dgamma, dbeta);
        if (dx is not null)
        {
            var config = Device.PerRowConfig(rows);
            if (f32) Accelerator.Launch(NormalizationKernels.LayerNormBackwardDx<float, Real32>, config, V<float>(x), V<float>(gamma), V<float>(mean), V<float>(rstd), V<float>(dy), V<float>(dx), rows, n);
            else Accelerator.Launch(NormalizationKernels.LayerNormBackwardDx<double, Real64>, config, V<double>(x), V<double>(gamma), V<double>(mean), V<double>(rstd), V<double>(dy), V<double>(dx), rows, n);
        }
        if (dgamma is null && dbeta is null) return;
        // A missing output gets a stand-in view (the kernel's flag keeps it unwritten).
        var (gammaOut, betaOut) = (dgamma ?? dy, dbeta ?? dy);
        var columns = Device.ElementwiseConfig(n);
        if (f32)
            Accelerator.Launch(NormalizationKernels.LayerNormBackwardParams, columns, V<float>(x), V<float>(mean), V<float>(rstd), V<float>(dy),
                V<float>(gammaOut), dgamma is null ? 0 : 1, V<float>(betaOut), dbeta is null ? 0 : 1, rows, n);
        else
            Accelerator.Launch(NormalizationKernels.LayerNormBackwardParams, columns, V<double>(x), V<double>(mean), V<double>(rstd), V<double>(dy),
                V<double>(gammaOut), dgamma is null ? 0 : 1, V<double>(betaOut), dbeta is null ? 0 : 1, rows, n);
    }

    public void Softmax(TensorStorage x, TensorStorage y, int rows, int n, bool log)
    {
        if (rows == 0) return;
        var config = Device.PerRowConfig(rows);
        if (IsF32(x, y)) Accelerator.Launch(NormalizationKernels.Softmax, config, V<float>(x), V<float>(y), rows, n, log ? 1 : 0);
        else Accelerator.Launch(NormalizationKernels.Softmax, config, V<double>(x), V<double>(y), rows, n, log ? 1 : 0);
    }

    public void SoftmaxBackward(TensorStorage y, TensorStorage dy, TensorStorage dx, int rows, int n, bool log)
    {
        if (rows == 0) return;
        var config = Device.PerRowConfig(rows);
        if (IsF32(y, dy, dx)) Accelerator.Launch(NormalizationKernels.SoftmaxBackward, config, V<float>(y), V<float>(dy), V<float>(dx), rows, n, log ? 1 : 0);
        else Accelerator.Launch(NormalizationKernels.SoftmaxBackward, config, V<double>(y), V<double>(dy), V<double>(dx), rows, n, log ? 1 : 0);
    }

    public void SoftmaxCrossEntropy(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage loss, TensorStorage logSumExp, int rows, int n)
    {
        if (rows == 0) return;
        var list = Indices(targets);
        var config = Device.PerRowConfig(rows);
        if (IsF32(logits, loss, logSumExp))
            Accelerator.Launch(TrainingKernels.CrossEntropy, config, V<float>(logits), list.View<int>(), V<float>(loss), V<float>(logSumExp), rows, n);
        else
            Accelerator.Launch(TrainingKernels.CrossEntropy, config, V<double>(logits), list.View<int>(), V<double>(loss), V<double>(logSumExp), rows, n);
        GC.KeepAlive(list);
    }

    public void SoftmaxCrossEntropyBackward(TensorStorage logits, ReadOnlySpan<int> targets, TensorStorage logSumExp, TensorStorage dLoss, TensorStorage dLogits, int rows, int n)
    {
        if (rows == 0) return;
        var list = Indices(targets);
        var config = Device.PerRowConfig(rows);
        if (IsF32(logits, logSumExp, dLoss, dLogits))
            Accelerator.Launch(TrainingKernels.CrossEntropyBackward, config, V<float>(logits), list.View<int>(), V<float>(logSumExp), V<float>(dLoss), V<float>(dLogits), rows, n);
        else
            Accelerator.Launch(TrainingKernels.CrossEntropyBackward, config, V<double>(logits), list.View<int>(), V<double>(logSumExp), V<double>(dLoss), V<double>(dLogits), rows, n);
        GC.KeepAlive(list);
    }

    public void AdamWUpdate(TensorStorage parameter, TensorStorage gradient, TensorStorage m, TensorStorage v,
        double lr, double beta1, double beta2, double eps, double weightDecay, int step)
    {
        if (parameter.Length == 0) return;
        double decay = 1 - lr * weightDecay, stepSize = lr / (1 - Math.Pow(beta1, step)), secondCorrection = 1 / Math.Sqrt(1 - Math.Pow(beta2, step));
        var config = Device.ElementwiseConfig(parameter.Length);
        if (IsF32(parameter, gradient, m, v))
        {
            var s = new TrainingKernels.AdamWStep<float>
            {
                Beta1 = (float)beta1, Beta2 = (float)beta2, Decay = (float)decay, StepSize = (float)stepSize,
                SecondCorrection = (float)secondCorrection, Eps = (float)eps,
            };
            Accelerator.Launch(TrainingKernels.AdamW, config, V<float>(parameter), V<float>(gradient), V<float>(m), V<float>(v), parameter.Length, s);
        }
        else
        {
            var s = new TrainingKernels.AdamWStep<double>
            {
                Beta1 = beta1, Beta2 = beta2, Decay = decay, StepSize = stepSize, SecondCorrection = secondCorrection, Eps = eps,
            };
            Accelerator.Launch(TrainingKernels.AdamW, config, V<double>(parameter), V<double>(gradient), V<double>(m), V<double>(v), parameter.Length, s);
        }
    }

    public double SumOfSquares(TensorStorage x)
    {
        bool f32 = IsF32(x);
        if (x.Length == 0) return 0;
        var config = Device.ElementwiseConfig(x.Length);
        var partial = new GpuStorage(this, DType.F64, config.GridDim.X);
        if (f32) Accelerator.Launch(ReductionKernels.SumOfSquares<float, Real32>, config, V<float>(x), x.Length, partial.View<double>());
        else Accelerator.Launch(ReductionKernels.SumOfSquares<double, Real64>, config, V<double>(x), x.Length, partial.View<double>());
        var host = new double[partial.Length];
        Download(partial, host);
        double total = 0;
        foreach (double p in host) total += p;
        return total;
    }

    public void Attention(TensorStorage qkv, TensorStorage? keyMask, TensorStorage output, TensorStorage probs, int b, int t, int c, int heads)
    {
        if (b * t == 0) return;
        bool f32 = IsF32(qkv, keyMask, output, probs);
        var (rows, elements) = (Device.PerRowConfig((long)b * heads * t), Device.ElementwiseConfig((long)b * t * c));
        var mask = keyMask ?? qkv;   // a stand-in view when there is no mask (hasMask = 0 keeps it unread)
        int hasMask = keyMask is null ? 0 : 1;
        if (f32)
        {
            Accelerator.Launch(AttentionKernels.Probs<float, Real32>, rows, V<float>(qkv), V<float>(mask), hasMask, V<float>(probs), b, t, c, heads);
            Accelerator.Launch(AttentionKernels.Output, elements, V<float>(qkv), V<float>(probs), V<float>(output), b, t, c, heads);
        }
        else
        {
            Accelerator.Launch(AttentionKernels.Probs<double, Real64>, rows, V<double>(qkv), V<double>(mask), hasMask, V<double>(probs), b, t, c, heads);
            Accelerator.Launch(AttentionKernels.Output, elements, V<double>(qkv), V<double>(probs), V<double>(output), b, t, c, heads);
        }
    }

    public void AttentionBackward(TensorStorage qkv, TensorStorage probs, TensorStorage dOutput, TensorStorage dQkv, int b, int t, int c, int heads)
    {
        if (b * t == 0) return;
        bool f32 = IsF32(qkv, probs, dOutput, dQkv);
        var dScores = new GpuStorage(this, qkv.DType, probs.Length);
        var (rows, elements) = (Device.PerRowConfig((long)b * heads * t), Device.ElementwiseConfig(dQkv.Length));
        if (f32)
        {
            Accelerator.Launch(AttentionKernels.DScores<float, Real32>, rows, V<float>(qkv), V<float>(probs), V<float>(dOutput), dScores.View<float>(), b, t, c, heads);
            Accelerator.Launch(AttentionKernels.DQkv, elements, V<float>(qkv), V<float>(probs), dScores.View<float>(), V<float>(dOutput), V<float>(dQkv), b, t, c, heads);
        }
        else
        {
            Accelerator.Launch(AttentionKernels.DScores<double, Real64>, rows, V<double>(qkv), V<double>(probs), V<double>(dOutput), dScores.View<double>(), b, t, c, heads);
            Accelerator.Launch(AttentionKernels.DQkv, elements, V<double>(qkv), V<double>(probs), dScores.View<double>(), V<double>(dOutput), V<double>(dQkv), b, t, c, heads);
        }
        GC.KeepAlive(dScores);
    }

    public void Rotary(TensorStorage x, TensorStorage y, int b, int t, int heads, int headDim, int rotaryDim, bool inverse, bool accumulate)
    {
        if (x.Length == 0) return;
        var config = Device.ElementwiseConfig(x.Length);
        if (IsF32(x, y))
            Accelerator.Launch(RotaryKernels.Rotary<float, Real32>, config, V<float>(x), V<float>(y), b, t, heads, headDim, rotaryDim, inverse ? 1 : 0, accumulate ? 1 : 0);
        else
            Accelerator.Launch(RotaryKernels.Rotary<double, Real64>, config, V<double>(x), V<double>(y), b, t, heads, headDim, rotaryDim, inverse ? 1 : 0, accumulate ? 1 : 0);
    }
}
