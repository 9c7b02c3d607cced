"""Write golden outputs for the C# GPT-2 engine.

For each model:
  gpt2-random   tests/RawEdit.Tests/Goldens/gpt2-random/model.safetensors (make_random_gpt2.py)
  hf-tiny-gpt2  ../shared/data/fixtures/hf-tiny-gpt2 (read in place, never copied)
writes tests/RawEdit.Tests/Goldens/<name>/{goldens.safetensors, manifest.json}.

The model runs in float64 (parameters are the exact float32 checkpoint values
upcast); results are rounded to float32 when stored.

Run: /usr/bin/python3 tools/reference/make_gpt2_goldens.py
Needs node + gpt-3-encoder@1.1.4 in tools/reference/.node (see README.md).
"""

import json
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import safetensors_io  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
GOLDENS = os.path.join(REPO, "tests", "RawEdit.Tests", "Goldens")
FIXTURE = os.path.abspath(os.path.join(REPO, "..", "shared", "data", "fixtures", "hf-tiny-gpt2"))
NODE_DIR = os.path.join(HERE, ".node")

TOLERANCES = {
    "logits_max_abs": 1e-4,
    "grad_rel": 1e-3,
    "grad_rel_definition": "||a - b||_2 / max(||b||_2, tiny) per tensor, b = golden",
}

DEFINITIONS = {
    "padding": "Right padding with pad_token_id; attention_mask 1 = valid token, 0 = pad. "
               "Pad keys get (1 - mask) * finfo.min added to the attention scores (HF semantics).",
    "position_ids": "0..T-1 for every row (HF default, also with right padding).",
    "logits": "[B,T,V] tied-head logits ln_f(h) @ wte^T for ALL positions, padded ones included "
              "(pad queries attend to the valid keys before them). Compare only valid positions.",
    "logits.single.{i}": "[T_i,V] logits of prompt i run alone (batch of 1, no padding). "
                         "Must equal logits[i, :T_i].",
    "loss": "[1] mean next-token cross-entropy: sum over (b,t) with attention_mask[b,t] = "
            "attention_mask[b,t+1] = 1 of -log softmax(logits[b,t])[input_ids[b,t+1]], divided by "
            "the number of such pairs (loss_pairs).",
    "grad.{name}": "d loss / d parameter, for every parameter, named exactly as in the checkpoint. "
                   "wte is tied: its gradient is the sum of the embedding and the LM-head uses. "
                   "wpe rows >= T are zero.",
    "hook.mlp_in": "[B,T,4C] block hook_layer: gelu_new(c_fc(ln_2(x))), i.e. the input of "
                   "h.L.mlp.c_proj (the 'key'). Plain batch, no injection.",
    "hook.mlp_out": "[B,T,C] block hook_layer: c_proj output including its bias, before the "
                    "residual add. Plain batch, no injection.",
    "hook.block_out": "[B,T,C] output of block hook_layer (residual stream after both adds, "
                      "before ln_f / the next block). Plain batch, no injection.",
    "inject.delta": "[C] vector delta ~ N(0, delta_std^2), numpy PCG64(delta_seed), stored float32 "
                    "and used exactly (upcast).",
    "inject.logits": "[B,T,V] logits when delta is added to the MLP output (after c_proj bias, before "
                     "the residual add) of block inject.layer at each (row, position) in "
                     "inject.positions (no other change).",
    "inject.loss": "[1] the loss above (same definition) for the injected run.",
    "inject.grad_delta": "[C] d inject.loss / d delta with all weights frozen "
                         "(sum over the injected positions).",
    "compute": "Model evaluated in float64 from the float32 checkpoint values; stored as float32.",
}


def tokenize(texts):
    script = (
        "const {encode}=require('gpt-3-encoder');"
        "const xs=JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(xs.map(s=>encode(s))));"
    )
    env = dict(os.environ, NODE_PATH=os.path.join(NODE_DIR, "node_modules"))
    out = subprocess.run(["node", "-e", script, json.dumps(["Hello world"] + texts)],
                         check=True, capture_output=True, text=True, env=env).stdout
    ids = json.loads(out)
    if ids[0] != [15496, 995]:
        raise RuntimeError(f"tokenizer sanity check failed: 'Hello world' -> {ids[0]}")
    return ids[1:]


def pad_batch(seqs, pad_id):
    T = max(len(s) for s in seqs)
    ids = np.full((len(seqs), T), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), T), dtype=np.int64)
    for b, s in enumerate(seqs):
        ids[b, : len(s)] = s
        mask[b, : len(s)] = 1
    return ids, mask


def f32(t):
    return t.detach().to(torch.float32).numpy().copy()


def make_goldens(name, model_dir, seqs, prompts, pad_id, hook_layer, delta_seed, delta_std=0.1, ref=gpt2_ref,
                 producer="tools/reference/make_gpt2_goldens.py", definitions=DEFINITIONS):
    """ref: the reference module (gpt2_ref or gptj_ref): load, forward, lm_loss, param_names."""
    torch.set_num_threads(1)
    base = ref.load(model_dir)
    cfg = base.cfg
    C = cfg.n_embd
    ids_np, mask_np = pad_batch(seqs, pad_id)
    ids = torch.from_numpy(ids_np)
    mask = torch.from_numpy(mask_np)
    B, T = ids.shape
    lengths = [len(s) for s in seqs]
    out = {}

    # 1. batched logits, loss, all parameter gradients, hooks (float64).
    m = base.to(torch.float64, requires_grad=True)
    logits, hooks = ref.forward(m, ids, mask, hook_layer=hook_layer)
    loss, count = ref.lm_loss(logits, ids, mask)
    loss.backward()
    out["logits"] = f32(logits)
    out["loss"] = f32(loss).reshape(1)
    for k in ref.param_names(cfg):
        out["grad." + m.ckpt_names[k]] = f32(m.params[k].grad)
    out["hook.mlp_in"] = f32(hooks["mlp_in"])
    out["hook.mlp_out"] = f32(hooks["mlp_out"])
    out["hook.block_out"] = f32(hooks["block_out"])

    # 2. each prompt alone.
    frozen = base.to(torch.float64, requires_grad=False)
    with torch.no_grad():
        for i, s in enumerate(seqs):
            li, _ = ref.forward(frozen, torch.tensor([s], dtype=torch.int64), None)
            out[f"logits.single.{i}"] = f32(li[0])

    # 3. injection at block hook_layer, weights frozen.
    rng = np.random.Generator(np.random.PCG64(delta_seed))
    delta32 = (delta_std * rng.standard_normal(C)).astype(np.float32)
    positions = [[0, lengths[0] - 1], [2, 1]]
    add_mask = torch.zeros(B, T, dtype=torch.float64)
    for b, t in positions:
        assert mask_np[b, t] == 1, "injection position must be a valid token"
        add_mask[b, t] = 1.0
    delta = torch.from_numpy(delta32).to(torch.float64).requires_grad_(True)
    ilogits, _ = ref.forward(frozen, ids, mask, inject=(hook_layer, delta, add_mask))
    iloss, icount = ref.lm_loss(ilogits, ids, mask)
    iloss.backward()
    out["inject.delta"] = delta32
    out["inject.logits"] = f32(ilogits)
    out["inject.loss"] = f32(iloss).reshape(1)
    out["inject.grad_delta"] = f32(delta.grad)

    # write
    folder = os.path.join(GOLDENS, name)
    os.makedirs(folder, exist_ok=True)
    safetensors_io.write(os.path.join(folder, "goldens.safetensors"), out,
                         {"format": "pt", "producer": producer})
    manifest = {
        "name": name,
        "model_dir": os.path.relpath(model_dir, REPO).replace(os.sep, "/"),
        "model_dir_relative_to": "repository root",
        "key_layout": ("transformer.-prefixed" if any(v.startswith(gpt2_ref.PREFIX) for v in m.ckpt_names.values())
                       else "hub (no prefix; h.N.attn.bias / h.N.attn.masked_bias buffers present, ignored)"),
        "config": {"n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
                   "n_inner": cfg.n_inner, "n_positions": cfg.n_positions, "vocab_size": cfg.vocab_size,
                   **({"rotary_dim": cfg.rotary_dim} if hasattr(cfg, "rotary_dim") else {})},
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "compute_dtype": "float64",
        "stored_dtype": "float32",
        "batch_size": B,
        "seq_len": T,
        "lengths": lengths,
        "prompts": prompts,
        "tokenizer": "gpt-3-encoder@1.1.4 (npm)" if prompts else None,
        "input_ids": ids_np.tolist(),
        "attention_mask": mask_np.tolist(),
        "pad_token_id": pad_id,
        "padding_side": "right",
        "position_ids": "0..T-1 for every row",
        "layer_norm_epsilon": cfg.layer_norm_epsilon,
        "epsilon": cfg.layer_norm_epsilon,
        "loss_pairs": count,
        "loss_value_float64": float(loss),
        "hook_layer": hook_layer,
        "inject": {
            "layer": hook_layer,
            "positions": positions,
            "positions_format": "[row, position]",
            "delta_seed": delta_seed,
            "delta_rng": "numpy PCG64, delta = float32(delta_std * standard_normal(C))",
            "delta_std": delta_std,
            "loss_value_float64": float(iloss),
        },
        "param_names": [m.ckpt_names[k] for k in ref.param_names(cfg)],
        "tensors": {k: list(v.shape) for k, v in sorted(out.items())},
        "tolerances": TOLERANCES,
        "definitions": definitions,
    }
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"{name}: B={B} T={T} lengths={lengths} loss={float(loss):.6f} "
          f"inject.loss={float(iloss):.6f} pairs={count}")


def main():
    # (i) random model (hub layout) written by make_random_gpt2.py
    rng = np.random.Generator(np.random.PCG64(7))
    vocab = 1024
    seqs = [rng.integers(0, vocab - 1, size=n).tolist() for n in (7, 3, 12)]
    make_goldens("gpt2-random", os.path.join(GOLDENS, "gpt2-random"), seqs, None,
                 pad_id=vocab - 1, hook_layer=2, delta_seed=1001)

    # (ii) the shared HF fixture, tokenised with gpt-3-encoder
    prompts = ["The Eiffel Tower is located", "Hello", "Danielle Darrieux's mother tongue"]
    seqs = tokenize(prompts)
    make_goldens("hf-tiny-gpt2", FIXTURE, seqs, prompts,
                 pad_id=50256, hook_layer=0, delta_seed=1002)


if __name__ == "__main__":
    main()
