using RawEdit.Models.Checkpoints;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;

namespace RawEdit.Models.GptJ;

/// <summary>
/// GPT-J (Hugging Face GPTJForCausalLM semantics). Shapes: ids [B,T], h [B,T,C], q/k/v [B,T,C] (H heads of D),
/// MLP hidden [B,T,F], logits [B,T,V]. Linear weights are stored [out, in]; no attention biases; the head is untied.
///   h₀ = wte[ids]                                            (positions enter only through the rotary embedding)
///   a = ln_1 h;  h ← h + out_proj(attn(rope(q_proj a), rope(k_proj a), v_proj a)) + fc_out(gelu_new(fc_in a))
///   logits = lm_head(ln_f h)                                 (with bias)
/// </summary>
internal sealed class GptJModel : ICausalLanguageModel
{
    private readonly Dictionary<string, Tensor> parameters;

    public GptJModel(GptJConfig config, IDictionary<string, Tensor> parameters)
    {
        config.Validate();
        Config = config;
        this.parameters = CheckpointParameters.Validated("GPT-J", parameters, ExpectedShapes(config));
    }

    public GptJConfig Config { get; }
    public string Architecture => "gptj";
    public int Layers => Config.Layers;
    public int Embedding => Config.Embedding;
    public int MlpWidth => Config.MlpWidth;
    public int VocabSize => Config.VocabSize;
    public int MaxPositions => Config.Positions;
    public int EosTokenId => Config.EosTokenId;
    public IReadOnlyDictionary<string, Tensor> Parameters => parameters;

    public Tensor this[string name] => parameters[name];

    public (string Name, bool OutByIn) MlpDownProjection(int layer) => ($"transformer.h.{CheckLayer(layer)}.mlp.fc_out.weight", true);
    public (string Name, bool OutByIn) MlpUpProjection(int layer) => ($"transformer.h.{CheckLayer(layer)}.mlp.fc_in.weight", true);

    public ICausalLanguageModel WithParameters(IReadOnlyDictionary<string, Tensor> replacements) =>
        new GptJModel(Config, DecoderInputs.Replaced(parameters, replacements));

    private int CheckLayer(int layer) => DecoderInputs.CheckLayer(layer, Layers);

    /// <summary>Every parameter name (as in the checkpoint) and shape, in checkpoint order.</summary>
    public static IEnumerable<(string Name, int[] Shape)> ExpectedShapes(GptJConfig c)
    {
        int C = c.Embedding, F = c.MlpWidth;
        yield return ("transformer.wte.weight", [c.VocabSize, C]);
        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"transformer.h.{l}.";
            yield return (p + "ln_1.weight", [C]);
            yield return (p + "ln_1.bias", [C]);
            yield return (p + "attn.q_proj.weight", [C, C]);
            yield return (p + "attn.k_proj.weight", [C, C]);
            yield return (p + "attn.v_proj.weight", [C, C]);
            yield return (p + "attn.out_proj.weight", [C, C]);
            yield return (p + "mlp.fc_in.weight", [F, C]);
            yield return (p + "mlp.fc_in.bias", [F]);
            yield return (p + "mlp.fc_out.weight", [C, F]);
            yield return (p + "mlp.fc_out.bias", [C]);
        }
        yield return ("transformer.ln_f.weight", [C]);
        yield return ("transformer.ln_f.bias", [C]);
        yield return ("lm_head.weight", [c.VocabSize, C]);
        yield return ("lm_head.bias", [c.VocabSize]);
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

    // ids [B,T] → h₀ [B,T,C] (GPT-J has no position embedding: the TokenEmbedding hook sees h₀ itself)
    private Tensor Embed(TokenBatch batch, ForwardHooks? hooks)
    {
        DecoderInputs.CheckBatch(batch, Config.Positions, Config.VocabSize);
        return Hook(hooks, HookPoint.TokenEmbedding, 0, Ops.Embedding(parameters["transformer.wte.weight"], batch.Ids, batch.Batch, batch.Time));
    }

    // h [B,T,C] → [B,T,C], or over a subset of rows [n,C] → [n,C] (the last block of a resumed pass: [m,C]):
    // attention and MLP both read ln_1(h) and are added to h side by side. The rotary embedding needs positions, so it
    // is applied to q and k over every row of the batch.
    private Tensor Block(int l, Tensor h, Tensor? mask, BlockRows rows, ForwardHooks? hooks)
    {
        string p = $"transformer.h.{l}.";
        var a = Ops.LayerNorm(h, parameters[p + "ln_1.weight"], parameters[p + "ln_1.bias"], Config.LayerNormEpsilon);
        var q = Ops.RotaryEmbedding(rows.AttentionInput(l, "q", Project(a, p + "attn.q_proj.weight")), Config.Heads, Config.RotaryDim);
        var k = Ops.RotaryEmbedding(rows.AttentionInput(l, "k", Project(a, p + "attn.k_proj.weight")), Config.Heads, Config.RotaryDim);
        var v = rows.AttentionInput(l, "v", Project(a, p + "attn.v_proj.weight"));
        var attended = rows.AttentionOutput(l, Ops.CausalSelfAttention(Ops.Concat(2, q, k, v), Config.Heads, mask));
        var attnOut = Hook(hooks, HookPoint.AttentionOut, l, Project(attended, p + "attn.out_proj.weight"));

        var m = Hook(hooks, HookPoint.MlpIn, l, rows.OutputRows(l, a));
        var hidden = Hook(hooks, HookPoint.MlpHidden, l, Project(m, p + "mlp.fc_in.weight", p + "mlp.fc_in.bias"));
        var key = Hook(hooks, HookPoint.MlpKey, l, Ops.GeluNew(hidden));
        var mlpOut = Hook(hooks, HookPoint.MlpOut, l, Project(key, p + "mlp.fc_out.weight", p + "mlp.fc_out.bias"));
        return Hook(hooks, HookPoint.BlockOut, l, Ops.Add(Ops.Add(rows.OutputRows(l, h), attnOut), mlpOut));
    }

    // x [..., in] → [..., out] through a Linear weight [out, in].
    private Tensor Project(Tensor x, string weight, string? bias = null) =>
        Ops.Linear(x, parameters[weight], bias is null ? null : parameters[bias], weightIsOutByIn: true);

    private static Tensor Hook(ForwardHooks? hooks, HookPoint point, int layer, Tensor x) => DecoderInputs.Hook(hooks, point, layer, x);

    public (Tensor Weight, Tensor? Bias) Head => (parameters["lm_head.weight"], parameters["lm_head.bias"]);

    public Tensor Unembed(Tensor hidden) => Project(FinalNorm(hidden), "lm_head.weight", "lm_head.bias");

    /// <summary>ln_f(hidden): the features lm_head maps to logits.</summary>
    public Tensor FinalNorm(Tensor hidden) =>
        Ops.LayerNorm(hidden, parameters["transformer.ln_f.weight"], parameters["transformer.ln_f.bias"], Config.LayerNormEpsilon);
}
