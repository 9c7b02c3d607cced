using System.Text.Json.Nodes;

namespace RawEdit.Models.Gpt2;

/// <summary>The Hugging Face GPT-2 config.json fields RawEdit uses, validated on load.</summary>
internal sealed record Gpt2Config
{
    public int VocabSize { get; init; } = 50257;
    public int Positions { get; init; } = 1024;
    public int Embedding { get; init; } = 768;
    public int Layers { get; init; } = 12;
    public int Heads { get; init; } = 12;
    /// <summary>MLP hidden width (n_inner); null in config.json means 4·n_embd.</summary>
    public int? Inner { get; init; }
    public double LayerNormEpsilon { get; init; } = 1e-5;
    public string Activation { get; init; } = "gelu_new";
    public int BosTokenId { get; init; } = 50256;
    public int EosTokenId { get; init; } = 50256;

    public int MlpWidth => Inner ?? 4 * Embedding;
    public int HeadDim => Embedding / Heads;

    public static Gpt2Config Load(string path) => FromJson(HfConfigJson.Read(path), path);

    public static Gpt2Config FromJson(JsonObject json, string source = "config.json")
    {
        string modelType = HfConfigJson.ModelType(json, source);
        if (modelType != "gpt2") throw new InvalidDataException($"{source}: model_type '{modelType}' is not gpt2");
        int Int(string key, int fallback) => HfConfigJson.Int(json, key, fallback, source);
        int? inner = HfConfigJson.NullableInt(json, "n_inner", source);
        var config = new Gpt2Config
        {
            VocabSize = Int("vocab_size", 50257),
            Positions = Int("n_positions", 1024),
            Embedding = Int("n_embd", 768),
            Layers = Int("n_layer", 12),
            Heads = Int("n_head", 12),
            Inner = inner,
            LayerNormEpsilon = json["layer_norm_epsilon"]?.GetValue<double>() ?? 1e-5,
            Activation = json["activation_function"]?.GetValue<string>() ?? "gelu_new",
            BosTokenId = Int("bos_token_id", 50256),
            EosTokenId = Int("eos_token_id", 50256),
        };
        config.Validate(source);
        return config;
    }

    public void Validate(string source = "config")
    {
        void Require(bool ok, string what) { if (!ok) throw new InvalidDataException($"{source}: {what}"); }
        Require(VocabSize > 0, $"vocab_size must be positive, got {VocabSize}");
        Require(Positions > 0, $"n_positions must be positive, got {Positions}");
        Require(Embedding > 0 && Layers > 0 && Heads > 0, $"n_embd, n_layer, n_head must be positive, got {Embedding}, {Layers}, {Heads}");
        Require(Embedding % Heads == 0, $"n_embd {Embedding} is not divisible by n_head {Heads}");
        Require(MlpWidth > 0, $"n_inner must be positive, got {MlpWidth}");
        Require(Activation is "gelu_new" or "gelu_pytorch_tanh", $"activation_function '{Activation}' is not supported (gelu_new)");
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), $"layer_norm_epsilon must be positive, got {LayerNormEpsilon}");
        Require(EosTokenId >= 0 && EosTokenId < VocabSize, $"eos_token_id {EosTokenId} outside the vocabulary");
    }

    public JsonObject ToJson() => new()
    {
        ["activation_function"] = Activation,
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["bos_token_id"] = BosTokenId,
        ["eos_token_id"] = EosTokenId,
        ["layer_norm_epsilon"] = LayerNormEpsilon,
        ["model_type"] = "gpt2",
        ["n_ctx"] = Positions,
        ["n_embd"] = Embedding,
        ["n_head"] = Heads,
        ["n_inner"] = Inner is null ? null : JsonValue.Create(Inner.Value),
        ["n_layer"] = Layers,
        ["n_positions"] = Positions,
        ["vocab_size"] = VocabSize,
    };
}
