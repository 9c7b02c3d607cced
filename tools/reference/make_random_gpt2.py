"""Write a small random GPT-2 in the Hugging Face *hub* layout.

Output: tests/RawEdit.Tests/Goldens/gpt2-random/{config.json, model.safetensors}

- n_layer 4, n_head 8, n_embd 128, n_positions 128, vocab_size 1024.
- Init like HF GPT2: weights ~ N(0, 0.02); attn.c_proj / mlp.c_proj weights
  ~ N(0, 0.02 / sqrt(2 * n_layer)). Unlike HF (biases 0, LN weight 1 / bias 0)
  every bias gets N(0, 0.02) noise, LN weights are 1 + N(0, 0.05) and LN biases
  N(0, 0.02), so their gradients are non-trivial.
- Hub key layout: no `transformer.` prefix, no lm_head.weight (tied), plus the
  per-layer buffers h.N.attn.bias (F32 [1,1,n_positions,n_positions],
  lower-triangular ones) and h.N.attn.masked_bias (F32 scalar, shape [], -1e4),
  which a loader must ignore.
- Deterministic: numpy PCG64 with a fixed seed, tensors drawn in a fixed order.

Run: /usr/bin/python3 tools/reference/make_random_gpt2.py
"""

import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_io  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "tests", "RawEdit.Tests", "Goldens", "gpt2-random")

SEED = 20240611
N_LAYER, N_HEAD, N_EMBD, N_POS, VOCAB = 4, 8, 128, 128, 1024
STD = 0.02


def config():
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": VOCAB - 1,
        "embd_pdrop": 0.1,
        "eos_token_id": VOCAB - 1,
        "initializer_range": STD,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": N_POS,
        "n_embd": N_EMBD,
        "n_head": N_HEAD,
        "n_inner": None,
        "n_layer": N_LAYER,
        "n_positions": N_POS,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "torch_dtype": "float32",
        "transformers_version": "4.47.1",
        "use_cache": True,
        "vocab_size": VOCAB,
    }


def build():
    rng = np.random.Generator(np.random.PCG64(SEED))
    C, F = N_EMBD, 4 * N_EMBD
    proj_std = STD / math.sqrt(2 * N_LAYER)

    def normal(shape, std, mean=0.0):
        return (mean + std * rng.standard_normal(shape)).astype(np.float32)

    t = {}
    t["wte.weight"] = normal((VOCAB, C), STD)
    t["wpe.weight"] = normal((N_POS, C), STD)
    causal = np.tril(np.ones((N_POS, N_POS), dtype=np.float32))[None, None]
    for i in range(N_LAYER):
        p = f"h.{i}."
        t[p + "ln_1.weight"] = normal((C,), 0.05, 1.0)
        t[p + "ln_1.bias"] = normal((C,), 0.02)
        t[p + "attn.c_attn.weight"] = normal((C, 3 * C), STD)
        t[p + "attn.c_attn.bias"] = normal((3 * C,), 0.02)
        t[p + "attn.c_proj.weight"] = normal((C, C), proj_std)
        t[p + "attn.c_proj.bias"] = normal((C,), 0.02)
        t[p + "ln_2.weight"] = normal((C,), 0.05, 1.0)
        t[p + "ln_2.bias"] = normal((C,), 0.02)
        t[p + "mlp.c_fc.weight"] = normal((C, F), STD)
        t[p + "mlp.c_fc.bias"] = normal((F,), 0.02)
        t[p + "mlp.c_proj.weight"] = normal((F, C), proj_std)
        t[p + "mlp.c_proj.bias"] = normal((C,), 0.02)
        t[p + "attn.bias"] = causal.copy()
        t[p + "attn.masked_bias"] = np.array(-1e4, dtype=np.float32)
    t["ln_f.weight"] = normal((C,), 0.05, 1.0)
    t["ln_f.bias"] = normal((C,), 0.02)
    return t


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config(), f, indent=2, sort_keys=True)
        f.write("\n")
    safetensors_io.write(os.path.join(OUT, "model.safetensors"), build(), {"format": "pt"})
    print("wrote", OUT)


if __name__ == "__main__":
    main()
