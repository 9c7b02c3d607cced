using System.Text.Json.Nodes;

namespace RawEdit.Models.GptJ;

/// <summary>The Hugging Face GPT-J config.json fields RawEdit uses (defaults: EleutherAI/gpt-j-6B), validated on load.</summary>
internal sealed record GptJConfig
{
    public int VocabSize { get; init; } = 50400;
    public int Positions { get; init; } = 2048;
    public int Embedding { get; init; } = 4096;
    public int Layers { get; init; } = 28;
    public int Heads { get; init; } = 16;
    /// <summary>Channels of every q/k head that the rotary embedding turns (64 of 256 in GPT-J 6B).</summary>
    public int RotaryDim { get; init; } = 64;
    /// <summary>MLP hidden width (n_inner); null in config.json means 4·n_embd.</summary>
    public int? Inner { get; init; }
    public double LayerNormEpsilon { get; init; } = 1e-5;
    public string Activation { get; init; } = "gelu_new";
    public int BosTokenId { get; init; } = 50256;
    public int EosTokenId { get; init; } = 50256;

    public int MlpWidth => Inner ?? 4 * Embedding;
    public int HeadDim => Embedding / Heads;

    public static GptJConfig Load(string path) => FromJson(HfConfigJson.Read(path), path);

    public static GptJConfig FromJson(JsonObject json, string source = "config.json")
    {
        string modelType = HfConfigJson.ModelType(json, source, fallback: "");
        if (modelType != "gptj") throw new InvalidDataException($"{source}: model_type '{modelType}' is not gptj");
        if (json["tie_word_embeddings"] is JsonValue tie && tie.TryGetValue<bool>(out var tied) && tied)
            throw new InvalidDataException($"{source}: tie_word_embeddings = true is not supported for GPT-J (its lm_head is untied)");
        if (json.ContainsKey("rotary_dim") && json["rotary_dim"] is null)
            throw new InvalidDataException($"{source}: rotary_dim null is not supported (GPT-J rotates part of each head; give its width)");
        int Int(string key, int fallback) => HfConfigJson.Int(json, key, fallback, source);
        var config = new GptJConfig
        {
            VocabSize = Int("vocab_size", 50400),
            Positions = Int("n_positions", 2048),
            Embedding = Int("n_embd", 4096),
            Layers = Int("n_layer", 28),
            Heads = Int("n_head", 16),
            RotaryDim = Int("rotary_dim", 64),
            Inner = HfConfigJson.NullableInt(json, "n_inner", source),
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
        Require(VocabSize > 0 && Positions > 0, $"vocab_size and n_positions must be positive, got {VocabSize}, {Positions}");
        Require(Embedding > 0 && Layers > 0 && Heads > 0, $"n_embd, n_layer, n_head must be positive, got {Embedding}, {Layers}, {Heads}");
        Require(Embedding % Heads == 0, $"n_embd {Embedding} is not divisible by n_head {Heads}");
        Require(RotaryDim > 0 && RotaryDim % 2 == 0 && RotaryDim <= HeadDim, $"rotary_dim {RotaryDim} must be even and in (0, head_dim = {HeadDim}]");
        Require(MlpWidth > 0, $"n_inner must be positive, got {MlpWidth}");
        Require(Activation is "gelu_new" or "gelu_pytorch_tanh", $"activation_function '{Activation}' is not supported (gelu_new)");
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), $"layer_norm_epsilon must be positive, got {LayerNormEpsilon}");
        Require(EosTokenId >= 0 && EosTokenId < VocabSize, $"eos_token_id {EosTokenId} outside the vocabulary");
    }

    public JsonObject ToJson() => new()
    {
        ["activation_function"] = Activation,
        ["architectures"] = new JsonArray("GPTJForCausalLM"),
        ["bos_token_id"] = BosTokenId,
        ["eos_token_id"] = EosTokenId,
        ["layer_norm_epsilon"] = LayerNormEpsilon,
        ["model_type"] = "gptj",
        ["n_embd"] = Embedding,
        ["n_head"] = Heads,
        ["n_inner"] = Inner is null ? null : JsonValue.Create(Inner.Value),
        ["n_layer"] = Layers,
        ["n_positions"] = Positions,
        ["rotary_dim"] = RotaryDim,
        ["tie_word_embeddings"] = false,
        ["vocab_size"] = VocabSize,
    };
}
