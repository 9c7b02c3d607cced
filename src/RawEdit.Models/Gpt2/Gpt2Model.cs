using RawEdit.Models.Checkpoints;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Profiling;

namespace RawEdit.Models.Gpt2;

/// <summary>
/// GPT-2 (Hugging Face GPT2LMHeadModel semantics). Shapes: ids [B,T], h [B,T,C], qkv [B,T,3C],
/// MLP hidden [B,T,F], logits [B,T,V]. Conv1D weights are stored [in, out]; the head is tied to wte.
///   h₀ = wte[ids] + wpe[0..T)
///   h ← h + c_proj(attn(c_attn(ln_1 h)));  h ← h + mlp(ln_2 h),  mlp = c_proj ∘ gelu_new ∘ c_fc
///   logits = ln_f(h) · wteᵀ
/// The OpProfiler marks name the kind of work each step is (benchmarks/RawEdit.Benchmarks profile); without a
/// running profiler they cost a thread-static read each.
/// </summary>
internal sealed class Gpt2Model : ICausalLanguageModel
{
    private readonly Dictionary<string, Tensor> parameters;

    public Gpt2Model(Gpt2Config config, IDictionary<string, Tensor> parameters)
    {
        config.Validate();
        Config = config;
        this.parameters = CheckpointParameters.Validated("GPT-2", parameters, ExpectedShapes(config));
    }

    public Gpt2Config Config { get; }
    public string Architecture => "gpt2";
    public int Layers => Config.Layers;
    public int Embedding => Config.Embedding;
    public int MlpWidth => Config.MlpWidth;
    public int VocabSize => Config.VocabSize;
    public int MaxPositions => Config.Positions;
    public int EosTokenId => Config.EosTokenId;
    public IReadOnlyDictionary<string, Tensor> Parameters => parameters;

    public Tensor this[string name] => parameters[name];

    public (string Name, bool OutByIn) MlpDownProjection(int layer) => ($"transformer.h.{CheckLayer(layer)}.mlp.c_proj.weight", false);
    public (string Name, bool OutByIn) MlpUpProjection(int layer) => ($"transformer.h.{CheckLayer(layer)}.mlp.c_fc.weight", false);

    public ICausalLanguageModel WithParameters(IReadOnlyDictionary<string, Tensor> replacements) =>
        new Gpt2Model(Config, DecoderInputs.Replaced(parameters, replacements));

    private int CheckLayer(int layer) => DecoderInputs.CheckLayer(layer, Layers);

    /// <summary>Every parameter name and shape, in checkpoint order.</summary>
    public static IEnumerable<(string Name, int[] Shape)> ExpectedShapes(Gpt2Config c)
    {
        int C = c.Embedding, F = c.MlpWidth;
        yield return ("transformer.wte.weight", [c.VocabSize, C]);
        yield return ("transformer.wpe.weight", [c.Positions, C]);
        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"transformer.h.{l}.";
            yield return (p + "ln_1.weight", [C]);
            yield return (p + "ln_1.bias", [C]);
            yield return (p + "attn.c_attn.weight", [C, 3 * C]);
            yield return (p + "attn.c_attn.bias", [3 * C]);
            yield return (p + "attn.c_proj.weight", [C, C]);
            yield return (p + "attn.c_proj.bias", [C]);
            yield return (p + "ln_2.weight", [C]);
            yield return (p + "ln_2.bias", [C]);
            yield return (p + "mlp.c_fc.weight", [C, F]);
            yield return (p + "mlp.c_fc.bias", [F]);
            yield return (p + "mlp.c_proj.weight", [F, C]);
            yield return (p + "mlp.c_proj.bias", [C]);
        }
        yield return ("transformer.ln_f.weight", [C]);
        yield return ("transformer.ln_f.bias", [C]);
    }

    public Tensor Forward(TokenBatch batch, ForwardHooks? hooks = null) => Unembed(HiddenStates(batch, hooks));

    public Tensor HiddenStates(TokenBatch batch, ForwardHooks? hooks = null, int? lastBlock = null) =>
        DecoderPasses.HiddenStates(batch, Embed(batch, hooks), Layers, lastBlock ?? Layers - 1, Block, hooks);

    public FrozenPrefix Freeze(TokenBatch batch, int layer, int[] firstChanged, ForwardHooks? hooks = null) =>
        DecoderPasses.Freeze(batch, b => Embed(b, hooks), Layers, layer, firstChanged, Block, hooks);

    public Tensor Resume(FrozenPrefix prefix, Tensor residual, int[] outputRows, ForwardHooks? hooks = null) =>
        DecoderPasses.Resume(prefix, Layers, residual, outputRows, Block, hooks);

    public Tensor Extend(TokenBatch batch, int[] rows, AttentionCache cache) =>
        DecoderPasses.Extend(batch, Embed(batch, hooks: null), Layers, rows, cache, Block);

    // ids [B,T] → h₀ [B,T,C]; the TokenEmbedding hook sees wte[ids] before wpe is added.
    private Tensor Embed(TokenBatch batch, ForwardHooks? hooks)
    {
        DecoderInputs.CheckBatch(batch, Config.Positions, Config.VocabSize);
        int B = batch.Batch, T = batch.Time;
        var positions = new int[B * T];
        for (int i = 0; i < positions.Length; i++) positions[i] = i % T;
        OpProfiler.Enter("embedding");
        return Ops.Add(Hook(hooks, HookPoint.TokenEmbedding, 0, Ops.Embedding(parameters["transformer.wte.weight"], batch.Ids, B, T)),
                       Ops.Embedding(parameters["transformer.wpe.weight"], positions, B, T));
    }

    // h [B,T,C] → [B,T,C], or over a subset of rows [n,C] → [n,C] (the last block of a resumed pass: [m,C]).
    private Tensor Block(int l, Tensor h, Tensor? mask, BlockRows rows, ForwardHooks? hooks)
    {
        string p = $"transformer.h.{l}.";
        OpProfiler.Enter("layer norm");
        var a = Ops.LayerNorm(h, parameters[p + "ln_1.weight"], parameters[p + "ln_1.bias"], Config.LayerNormEpsilon);
        OpProfiler.Enter("qkv linear");
        var qkv = rows.AttentionInput(l, "qkv", Ops.Linear(a, parameters[p + "attn.c_attn.weight"], parameters[p + "attn.c_attn.bias"]));
        OpProfiler.Enter("attention core");
        var attended = rows.AttentionOutput(l, Ops.CausalSelfAttention(qkv, Config.Heads, mask));
        OpProfiler.Enter("attention proj");
        var projected = Hook(hooks, HookPoint.AttentionOut, l, Ops.Linear(attended, parameters[p + "attn.c_proj.weight"], parameters[p + "attn.c_proj.bias"]));
        OpProfiler.Enter("residual add");
        h = Ops.Add(rows.OutputRows(l, h), projected);

        OpProfiler.Enter("layer norm");
        var m = Ops.LayerNorm(h, parameters[p + "ln_2.weight"], parameters[p + "ln_2.bias"], Config.LayerNormEpsilon);
        m = Hook(hooks, HookPoint.MlpIn, l, m);
        OpProfiler.Enter("MLP up");
        var hidden = Hook(hooks, HookPoint.MlpHidden, l, Ops.Linear(m, parameters[p + "mlp.c_fc.weight"], parameters[p + "mlp.c_fc.bias"]));
        OpProfiler.Enter("GELU");
        var key = Hook(hooks, HookPoint.MlpKey, l, Ops.GeluNew(hidden));
        OpProfiler.Enter("MLP down");
        var mlpOut = Hook(hooks, HookPoint.MlpOut, l, Ops.Linear(key, parameters[p + "mlp.c_proj.weight"], parameters[p + "mlp.c_proj.bias"]));
        OpProfiler.Enter("residual add");
        return Hook(hooks, HookPoint.BlockOut, l, Ops.Add(h, mlpOut));
    }

    private static Tensor Hook(ForwardHooks? hooks, HookPoint point, int layer, Tensor x) => DecoderInputs.Hook(hooks, point, layer, x);

    public (Tensor Weight, Tensor? Bias) Head => (parameters["transformer.wte.weight"], null);

    public Tensor Unembed(Tensor hidden)
    {
        var features = FinalNorm(hidden);
        OpProfiler.Enter("LM head");
        return Ops.MatMul(features, parameters["transformer.wte.weight"], transB: true);
    }

    /// <summary>ln_f(hidden): the features the tied head multiplies with wteᵀ.</summary>
    public Tensor FinalNorm(Tensor hidden)
    {
        OpProfiler.Enter("final layer norm");
        return Ops.LayerNorm(hidden, parameters["transformer.ln_f.weight"], parameters["transformer.ln_f.bias"], Config.LayerNormEpsilon);
    }
}
