"""Write small random GPT-J checkpoints in the Hugging Face GPTJForCausalLM layout.

Output: tests/RawEdit.Tests/Goldens/<name>/{config.json, model.safetensors}

- gptj-random: n_layer 4, n_head 4, n_embd 128 (head_dim 32), rotary_dim 16 (partial rotary,
  as GPT-J 6B's 64 of 256), n_positions 128, vocab 1024. Includes the per-layer buffers
  transformer.h.N.attn.bias (BOOL [1,1,P,P] lower-triangular) and attn.masked_bias (F32 scalar
  -1e9) that older GPT-J checkpoints carry and a loader must ignore.
- gptj-random-fullrot: n_layer 2, n_head 4, n_embd 64 (head_dim 16), rotary_dim 16 (every
  channel rotated), vocab 512, no buffers.
- Init: weights N(0, 0.02) except q_proj/k_proj N(0, 0.1), so that attention scores are O(1)
  and depend visibly on the rotary positions; every bias N(0, 0.02) (lm_head's too); LN
  weights 1 + N(0, 0.05), LN biases N(0, 0.02). numpy PCG64, fixed seed and order.

Run: /usr/bin/python3 tools/reference/make_random_gptj.py
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_io  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
GOLDENS = os.path.join(REPO, "tests", "RawEdit.Tests", "Goldens")

MODELS = {
    "gptj-random": dict(seed=20240701, n_layer=4, n_head=4, n_embd=128, rotary_dim=16, n_positions=128,
                        vocab=1024, buffers=True),
    "gptj-random-fullrot": dict(seed=20240702, n_layer=2, n_head=4, n_embd=64, rotary_dim=16, n_positions=64,
                                vocab=512, buffers=False),
}
STD = 0.02
QK_STD = 0.1


def config(spec):
    v = spec["vocab"]
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPTJForCausalLM"],
        "attn_pdrop": 0.0,
        "bos_token_id": v - 1,
        "embd_pdrop": 0.0,
        "eos_token_id": v - 1,
        "initializer_range": STD,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gptj",
        "n_embd": spec["n_embd"],
        "n_head": spec["n_head"],
        "n_inner": None,
        "n_layer": spec["n_layer"],
        "n_positions": spec["n_positions"],
        "resid_pdrop": 0.0,
        "rotary_dim": spec["rotary_dim"],
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": "4.47.1",
        "use_cache": True,
        "vocab_size": v,
    }


def build(spec):
    rng = np.random.Generator(np.random.PCG64(spec["seed"]))
    C, F, V, P = spec["n_embd"], 4 * spec["n_embd"], spec["vocab"], spec["n_positions"]

    def normal(shape, std, mean=0.0):
        return (mean + std * rng.standard_normal(shape)).astype(np.float32)

    t = {"transformer.wte.weight": normal((V, C), STD)}
    causal = np.tril(np.ones((P, P), dtype=np.bool_))[None, None]
    for i in range(spec["n_layer"]):
        p = f"transformer.h.{i}."
        t[p + "ln_1.weight"] = normal((C,), 0.05, 1.0)
        t[p + "ln_1.bias"] = normal((C,), 0.02)
        t[p + "attn.q_proj.weight"] = normal((C, C), QK_STD)
        t[p + "attn.k_proj.weight"] = normal((C, C), QK_STD)
        t[p + "attn.v_proj.weight"] = normal((C, C), STD)
        t[p + "attn.out_proj.weight"] = normal((C, C), STD)
        t[p + "mlp.fc_in.weight"] = normal((F, C), STD)
        t[p + "mlp.fc_in.bias"] = normal((F,), 0.02)
        t[p + "mlp.fc_out.weight"] = normal((C, F), STD)
        t[p + "mlp.fc_out.bias"] = normal((C,), 0.02)
        if spec["buffers"]:
            t[p + "attn.bias"] = causal.copy()
            t[p + "attn.masked_bias"] = np.array(-1e9, dtype=np.float32)
    t["transformer.ln_f.weight"] = normal((C,), 0.05, 1.0)
    t["transformer.ln_f.bias"] = normal((C,), 0.02)
    t["lm_head.weight"] = normal((V, C), STD)
    t["lm_head.bias"] = normal((V,), 0.02)
    return t


def main():
    for name, spec in MODELS.items():
        out = os.path.join(GOLDENS, name)
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(config(spec), f, indent=2, sort_keys=True)
            f.write("\n")
        safetensors_io.write(os.path.join(out, "model.safetensors"), build(spec), {"format": "pt"})
        print("wrote", out)


if __name__ == "__main__":
    main()
