using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// Op cases too large for exhaustive finite differences: they exercise SIMD remainders and the kernels'
/// parallel split paths. Used by the fp32 comparison and by the sampled gradient and row-block checks.
/// </summary>
internal static class WideCases
{
    // Shapes: 37, 257, 1001 columns leave SIMD remainders; 600×37 elements, 128 LayerNorm rows and 8 attention
    // (batch, head) pairs exceed the per-thread work threshold so kernels split across workers.
    internal static IEnumerable<OpCase> All()
    {
        int[] wide = [600, 37];
        var unary = new (string Name, Func<Tensor, Tensor> Op, Func<Tensor> X)[]
        {
            ("Exp", Ops.Exp, () => Normal("x", 1201, wide)),
            ("Log", Ops.Log, () => Uniform("x", 1202, 0.1, 10.0, wide)),
            ("Sqrt", Ops.Sqrt, () => Uniform("x", 1203, 0.1, 10.0, wide)),
            ("Tanh", Ops.Tanh, () => Normal("x", 1204, wide, std: 2.0)),
            ("Square", Ops.Square, () => Normal("x", 1205, wide)),
            ("Abs", Ops.Abs, () => AwayFromZero("x", 1206, 0.01, 3.0, wide)),
            ("Relu", Ops.Relu, () => AwayFromZero("x", 1207, 0.01, 3.0, wide)),
            ("Reciprocal", Ops.Reciprocal, () => AwayFromZero("x", 1208, 0.2, 3.0, wide)),
            ("GeluNew", Ops.GeluNew, () => Normal("x", 1209, wide, std: 3.0)),
            ("Neg", Ops.Neg, () => Normal("x", 1210, wide)),
        };
        foreach (var (name, op, x) in unary)
            yield return new OpCase($"wide {name} [600,37]", () => [x()], t => op(t[0]));

        foreach (var (name, b) in new[] { ("same", new[] { 600, 37 }), ("row", [37]), ("column", [600, 1]), ("scalar", []) })
        {
            yield return new OpCase($"wide Mul {name}", () => [Normal("a", 1220, wide), Normal("b", 1221, b)], t => Ops.Mul(t[0], t[1]));
            yield return new OpCase($"wide Div {name}", () => [Normal("a", 1222, wide), AwayFromZero("b", 1223, 0.5, 2.0, b)], t => Ops.Div(t[0], t[1]));
        }

        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            yield return new OpCase($"wide MatMul transA={ta} transB={tb} [67,129]·[129,45]",
                () => [Normal("a", 1230, ta ? [129, 67] : [67, 129]), Normal("b", 1231, tb ? [45, 129] : [129, 45])],
                t => Ops.MatMul(t[0], t[1], ta, tb));
        yield return new OpCase("wide MatMul batched [3,33,65]·[3,65,17]",
            () => [Normal("a", 1232, [3, 33, 65]), Normal("b", 1233, [3, 65, 17])], t => Ops.MatMul(t[0], t[1]));
        yield return new OpCase("wide Linear [out,in] [4,17,96]·[40,96]ᵀ + bias",
            () => [Normal("x", 1234, [4, 17, 96]), Normal("w", 1235, [40, 96], std: 0.1), Normal("b", 1236, [40])],
            t => Ops.Linear(t[0], t[1], t[2], weightIsOutByIn: true));

        yield return new OpCase("wide LayerNorm [128,257]",
            () => [Normal("x", 1240, [128, 257], std: 3.0), NearOne("gamma", 1241, 257), Normal("beta", 1242, [257])],
            t => Ops.LayerNorm(t[0], t[1], t[2], 1e-5));
        yield return new OpCase("wide Softmax [64,1001]", () => [Normal("x", 1243, [64, 1001], std: 3.0)], t => Ops.Softmax(t[0]));
        yield return new OpCase("wide LogSoftmax [64,1001]", () => [Normal("x", 1244, [64, 1001], std: 3.0)], t => Ops.LogSoftmax(t[0]));

        var mask = Enumerable.Range(0, 2 * 33).Select(i => i < 33 || i % 33 < 21 ? 1.0 : 0.0).ToArray();
        yield return new OpCase("wide CausalSelfAttention B2 T33 C48 H4 right-padded",
            () => [Normal("qkv", 1250, [2, 33, 144]), Constant("keyMask", mask, 2, 33)],
            t => Ops.CausalSelfAttention(t[0], 4, t[1]));

        var targets = Enumerable.Range(0, 48).Select(i => i % 7 == 3 ? -1 : i * 37 % 1024).ToArray();
        yield return new OpCase("wide CrossEntropy [48,1024]", () => [Normal("logits", 1260, [48, 1024], std: 2.0)], t => Ops.CrossEntropy(t[0], targets));
        var ids = Enumerable.Range(0, 300).Select(i => i * 7 % 101).ToArray();
        yield return new OpCase("wide Embedding [101,48] × 300 ids", () => [Normal("table", 1261, [101, 48])], t => Ops.Embedding(t[0], ids, 300));

        foreach (int axis in new[] { 0, 1, 2 })
            yield return new OpCase($"wide Sum axis {axis} [64,33,17]", () => [Normal("x", 1270, [64, 33, 17])], t => Ops.Sum(t[0], axis));
        yield return new OpCase("wide Permute [16,33,24]→[2,0,1]", () => [Normal("x", 1271, [16, 33, 24])], t => Ops.Permute(t[0], 2, 0, 1));
        yield return new OpCase("wide Norm [600,37]", () => [Normal("x", 1272, wide)], t => Ops.Norm(t[0]));
    }
}
