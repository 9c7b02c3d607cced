"""Write golden outputs for the C# GPT-J engine (same tensors and manifest as make_gpt2_goldens.py).

For gptj-random and gptj-random-fullrot (make_random_gptj.py) writes
tests/RawEdit.Tests/Goldens/<name>/{goldens.safetensors, manifest.json}, then checks that the
goldens would catch a wrong rotary embedding (none, or GPT-NeoX's rotate-half layout).

Run: /usr/bin/python3 tools/reference/make_gptj_goldens.py
"""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gptj_ref  # noqa: E402
import make_gpt2_goldens  # noqa: E402
import safetensors_io  # noqa: E402

GOLDENS = make_gpt2_goldens.GOLDENS

DEFINITIONS = dict(make_gpt2_goldens.DEFINITIONS)
DEFINITIONS.update({
    "logits": "[B,T,V] logits lm_head(ln_f(h)) (untied head with bias) for ALL positions, padded ones "
              "included. Compare only valid positions.",
    "grad.{name}": "d loss / d parameter, for every parameter, named exactly as in the checkpoint.",
    "hook.mlp_in": "[B,T,4C] block hook_layer: gelu_new(fc_in(ln_1(x))), the input of h.L.mlp.fc_out "
                   "(the 'key'). Plain batch, no injection.",
    "hook.mlp_out": "[B,T,C] block hook_layer: fc_out output including its bias, before the residual add.",
    "hook.block_out": "[B,T,C] output of block hook_layer: x + attn(ln_1 x) + mlp(ln_1 x).",
    "inject.logits": "[B,T,V] logits when delta is added to the MLP output (after fc_out bias, before the "
                     "residual add) of block inject.layer at each (row, position) in inject.positions.",
    "rotary": "Rotary embedding on channels [0, rotary_dim) of every q and k head, pairs (2i, 2i+1): "
              "y[2i] = x[2i] cos - x[2i+1] sin, y[2i+1] = x[2i+1] cos + x[2i] sin, angle = t / "
              "10000^(2i/rotary_dim), t = position 0..T-1 (every row, also with right padding).",
})

SENSITIVITY_MIN = 1e-2


def rotary_half_layout(x, rotary_dim):
    """GPT-NeoX's layout: pairs (i, i + rotary_dim/2) instead of (2i, 2i+1)."""
    T, half = x.shape[2], rotary_dim // 2
    sin, cos = gptj_ref.rotary_tables(T, rotary_dim, x.dtype)
    sin, cos = sin[:, 0::2].repeat(1, 2), cos[:, 0::2].repeat(1, 2)
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    rotated = torch.cat([-rot[..., half:], rot[..., :half]], dim=-1)
    return torch.cat([rot * cos + rotated * sin, rest], dim=-1)


def check_sensitivity(name):
    """A model without the rotary embedding, or with it in the rotate-half layout, must miss the goldens by far."""
    folder = os.path.join(GOLDENS, name)
    golden, _ = safetensors_io.read(os.path.join(folder, "goldens.safetensors"))
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    ids = torch.tensor(manifest["input_ids"])
    mask = torch.tensor(manifest["attention_mask"])
    valid = mask.bool().numpy()
    model = gptj_ref.load(folder).to(torch.float64)
    original = gptj_ref.apply_rotary
    variants = {"no rotary": lambda x, rotary_dim: x, "rotate-half layout": rotary_half_layout}
    for label, rotary in variants.items():
        gptj_ref.apply_rotary = rotary
        try:
            with torch.no_grad():
                logits, _ = gptj_ref.forward(model, ids, mask)
        finally:
            gptj_ref.apply_rotary = original
        miss = float(np.abs(logits.numpy()[valid] - golden["logits"][valid]).max())
        print(f"  {name}: {label}: max |logits - golden| = {miss:.3e}")
        if miss < SENSITIVITY_MIN:
            raise SystemExit(f"goldens of {name} do not tell the rotary embedding from '{label}'")


def main():
    rng = np.random.Generator(np.random.PCG64(8))
    for name, delta_seed in (("gptj-random", 2001), ("gptj-random-fullrot", 2002)):
        with open(os.path.join(GOLDENS, name, "config.json")) as f:
            vocab = int(json.load(f)["vocab_size"])
        seqs = [rng.integers(0, vocab - 1, size=n).tolist() for n in (7, 3, 12)]
        make_gpt2_goldens.make_goldens(name, os.path.join(GOLDENS, name), seqs, None, pad_id=vocab - 1,
                                       hook_layer=1, delta_seed=delta_seed, ref=gptj_ref,
                                       producer="tools/reference/make_gptj_goldens.py", definitions=DEFINITIONS)
        check_sensitivity(name)


if __name__ == "__main__":
    main()
