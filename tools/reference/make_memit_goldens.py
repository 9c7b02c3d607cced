"""Write MEMIT goldens (memit_ref.py) for the C# editing code.

  tests/RawEdit.Tests/Goldens/memit-random/     gpt2-random, id-level requests, layers [1, 2],
      memit-1-identity, memit-1-cov             request 0 alone
      memit-8-identity, memit-8-cov             requests 0..7 in one batch
      memit-1-cov-loss-layer2                   request 0, v_loss_layer 2 (NLL read from block 2's
                                                output through ln_f and the unembedding)
      second_moment.safetensors                 C at layers 1 and 2 (float32) and the sequences
each case folder holding goldens.safetensors, plus manifest.json.

Hyperparameters: upstream hparams/MEMIT/gpt2-xl.json (v_lr 0.5, v_weight_decay 0.5,
clamp_norm_factor 0.75, kl_factor 0.0625, 20 steps) except the layers, v_loss_layer (the last of
4 blocks) and mom2_update_weight = 2: the random model's keys have ||k||^2 ~ 6 and C's trace ~ 7,
so lambda = 2 keeps lambda*C and K K^T of one order and both terms shape the update (with
upstream's 20000, K K^T would vanish next to lambda*C).

Everything in float64 (float32 checkpoint values upcast), stored as float32.
"""

import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import memit_ref  # noqa: E402
import rome_ref  # noqa: E402
import safetensors_io  # noqa: E402
from make_rome_goldens import (GOLDENS, STATS_SEED, STATS_SHAPE, base_manifest, draw_ids, f32, finish,  # noqa: E402
                               pad_id_of, write_case)

NAME = "memit-random"
LAYERS = [1, 2]
REQUEST_SEED = 20240614
PREFIX_LENGTHS = (6, 8, 10, 9, 7)      # the five prefixed templates' id lengths
N_REQUESTS = 8
HPARAMS = {
    "layers": LAYERS,
    "v_num_grad_steps": 20,
    "v_lr": 0.5,
    "v_loss_layer": 3,
    "v_weight_decay": 0.5,
    "clamp_norm_factor": 0.75,
    "kl_factor": 0.0625,
    "mom2_update_weight": 2.0,
    "fact_token": "subject_last",
    "adam": "torch.optim.Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay, no amsgrad",
}
PRODUCER = "tools/reference/make_memit_goldens.py"

REQUEST_FORMAT = (
    "Id-level requests as in make_rome_goldens.py (rome_ref.prepare_from_ids): per request prefix_ids, "
    "subject_ids, suffix_ids, target_ids, kl_suffix_ids; the template prefixes are shared by all requests "
    "(MEMIT's templates are global): template_prefixes[0] = [] is '{}', 1..5 the prefixed templates, "
    "grouped [[0], [1..5]]. Per request the manifest lists the exact key, rewrite and KL prompts.")

DEFINITIONS = {
    "z objective": "as ROME's v* objective (make_rome_goldens.py definitions) but delta is added to the OUTPUT "
                   "of block L_last = layers[-1] (residual stream after both adds) at the subject-last token "
                   "of every prompt; nll from ln_f + tied unembedding of block v_loss_layer's output; kl on "
                   "the model logits at the KL prompt's subject-last position; wd = ||delta|| / ||h_init||^2; "
                   "clamp ||delta|| <= clamp_norm_factor * ||h_init||; same loop, Adam and 0.05 stop",
    "h_init": "[n, C] block L_last output at the subject-last token of rewriting prompt 0 (unprefixed), "
              "delta = 0, original weights",
    "delta": "[n, C] final delta per request",
    "targets": "[n, C] z = h_init + delta",
    "keys.{l}": "[n, F] per request: c_proj input at layer l at the subject-last token of each key prompt, "
                "mean within template group [0] and group [1..5], then the mean of the two group means; "
                "computed on the model with the layers before l already updated",
    "cur_z.{l}": "[n, C] block L_last output at the subject-last token of key prompt 0 (unprefixed, no "
                 "target), on the model with the layers before l already updated",
    "residual.{l}": "[n, C] targets - cur_z.{l} (before the 1/(L-i) spread)",
    "delta_w.{l}": "[F, C] Conv1D orientation of h.l.mlp.c_proj.weight: Delta^T with Delta = R_i "
                   "[(lambda C_l + K K^T)^-1 K]^T, K = keys.{l}^T [F, n], R_i = residual.{l}^T / (L - i), "
                   "i = index of l in layers, lambda = mom2_update_weight; torch.linalg.solve in float64; "
                   "C_l = identity or the stored second moment (float32 values upcast)",
    "delta_w_rel.{l}": "[1] |Δ| = ||delta_w.{l}||_F / numel(W)",
    "edited model": "W_l + delta_w.{l} for every l (weights restored, then the deltas applied)",
}


def requests(vocab, pad_id):
    """Shared template prefixes, then N_REQUESTS requests of mixed prefix, subject and target lengths.
    Every prompt ends with the subject (empty suffix): in the random model the NLL then sees delta
    at the subject's own position, which predicts target[0]. With a suffix it sees delta only
    through diffuse random attention, the KL term (quadratic at delta = 0) dominates, delta bounces
    on the clamp and the trajectory turns chaotic: a float32 run drifts 1e-4..1e-3 from float64 in
    20 steps (measured), too close to the C# tolerance to test anything."""
    rng = np.random.Generator(np.random.PCG64(REQUEST_SEED))
    hi = vocab - 1 if pad_id == vocab - 1 else vocab
    prefixes = [[]] + [draw_ids(rng, hi, pad_id, n) for n in PREFIX_LENGTHS]
    reqs = []
    for i in range(N_REQUESTS):
        reqs.append({"prefix_ids": draw_ids(rng, hi, pad_id, 1 + i % 3),
                     "subject_ids": draw_ids(rng, hi, pad_id, 1 + (i * 2) % 4),
                     "suffix_ids": [],
                     "target_ids": draw_ids(rng, hi, pad_id, 1 + i % 3),
                     "kl_suffix_ids": draw_ids(rng, hi, pad_id, 2)})
    return prefixes, reqs


def prep_of(req, prefixes):
    return rome_ref.prepare_from_ids(req["prefix_ids"], req["subject_ids"], req["suffix_ids"], req["target_ids"],
                                     req["kl_suffix_ids"], prefixes)


def run_case(model, preps, hp, C, pad_id):
    res = memit_ref.memit_edit(model, hp["layers"], preps, hp, C, pad_id)
    zs = res["z"]
    out = {"h_init": f32(torch.stack([z["v_init"] for z in zs])),
           "delta": f32(torch.stack([z["delta"] for z in zs])),
           "targets": f32(res["targets"])}
    for layer, v in res["layers"].items():
        for key in ("keys", "cur_z", "residual", "delta_w"):
            out[f"{key}.{layer}"] = f32(v[key])
        out[f"delta_w_rel.{layer}"] = f32(v["delta_w_rel"]).reshape(1)
    deltas = {layer: v["delta_w"] for layer, v in res["layers"].items()}
    after = memit_ref.edited(model, deltas)
    z_layer = hp["layers"][-1]
    unprefixed = [p.key_prompts[0] for p in preps]
    info = {
        "adam_steps": [z["steps"] for z in zs],
        "stop_reason": [z["stop_reason"] for z in zs],
        "loss_trace_float64": [z["trace"]["loss"] for z in zs],
        "delta_w_rel_float64": {str(k): float(v["delta_w_rel"]) for k, v in res["layers"].items()},
        "delta_w_fro_float64": {str(k): float(torch.linalg.norm(v["delta_w"])) for k, v in res["layers"].items()},
        "residual_norm_before_edit": [float(x) for x in torch.linalg.norm(res["layers"][hp["layers"][0]]["residual"], dim=1)],
        "residual_norm_after_edit": [float(x) for x in torch.linalg.norm(
            res["targets"] - memit_ref.subject_block_out(after, z_layer, unprefixed, pad_id), dim=1)],
        "rewrite_nll_before_edit": [float(rome_ref.rewrite_nll_of(model, p, pad_id).mean()) for p in preps],
        "rewrite_nll_after_edit": [float(rome_ref.rewrite_nll_of(after, p, pad_id).mean()) for p in preps],
    }
    return out, info


def random_model_and_requests():
    """The random GPT-2 (float64), its pad id, and the id-level requests with their prepared prompts."""
    model_dir = os.path.join(GOLDENS, "gpt2-random")
    m = gpt2_ref.load(model_dir).to(torch.float64)
    pad_id = pad_id_of(m.cfg)
    prefixes, reqs = requests(m.cfg.vocab_size, pad_id)
    return model_dir, m, pad_id, prefixes, reqs, [prep_of(r, prefixes) for r in reqs]


def batch_manifest(name, model_dir, m, pad_id, prefixes, reqs):
    """The manifest fields every MEMIT-family golden set shares (model, layers, requests and templates)."""
    manifest = base_manifest(model_dir, m, LAYERS[-1], pad_id)
    manifest.pop("layer")
    manifest.pop("edited_weight")
    manifest.update({
        "name": name, "layers": LAYERS, "edited_weights": [memit_ref.weight_name(x) for x in LAYERS],
        "request_format": REQUEST_FORMAT, "template_prefixes": prefixes, "template_groups": memit_ref.groups_of(len(prefixes)),
        "requests": reqs,
    })
    return manifest


def main():
    torch.set_num_threads(1)
    model_dir, m, pad_id, prefixes, reqs, preps = random_model_and_requests()
    cfg = m.cfg
    folder = os.path.join(GOLDENS, NAME)
    os.makedirs(folder, exist_ok=True)

    # second moments over the same random sequences as the ROME goldens, one per edited layer
    hi = cfg.vocab_size - 1 if pad_id == cfg.vocab_size - 1 else cfg.vocab_size
    seqs = np.random.Generator(np.random.PCG64(STATS_SEED)).integers(0, hi, size=STATS_SHAPE).astype(np.int64)
    stored, C, moments = {"input_ids": seqs}, {}, {}
    for layer in LAYERS:
        C64, ntok = rome_ref.second_moment(m, layer, seqs.tolist())
        stored[f"C.{layer}"] = f32(C64)
        C[layer] = torch.from_numpy(stored[f"C.{layer}"]).to(torch.float64)
        ev = torch.linalg.eigvalsh(C[layer])
        moments[str(layer)] = {"eigenvalue_min": float(ev[0]), "eigenvalue_max": float(ev[-1]), "cond": float(ev[-1] / ev[0])}
    safetensors_io.write(os.path.join(folder, "second_moment.safetensors"), stored, {"format": "pt", "producer": PRODUCER})

    everyone = list(range(N_REQUESTS))
    cases = [("memit-1-identity", [0], HPARAMS, None), ("memit-1-cov", [0], HPARAMS, C),
             ("memit-8-identity", everyone, HPARAMS, None), ("memit-8-cov", everyone, HPARAMS, C),
             ("memit-1-cov-loss-layer2", [0], dict(HPARAMS, v_loss_layer=2), C)]
    manifest = batch_manifest(NAME, model_dir, m, pad_id, prefixes, reqs)
    manifest.update({
        "hparams_default": HPARAMS, "definitions": DEFINITIONS,
        "tolerances": {"delta_w_rel": 1e-3, "rel_definition": "||a - b||_F / ||b||_F per layer, b = golden"},
        "second_moment": {
            "file": "second_moment.safetensors", "tensors": {f"C.{x}": [cfg.n_inner, cfg.n_inner] for x in LAYERS},
            "definition": "as make_rome_goldens.py's second_moment (same sequences), at each edited layer; "
                          "computed in float64, stored float32",
            "n_tokens": ntok, "per_layer": moments,
        },
        "cases": {},
    })
    tensors = {}
    for cname, chosen, hp, Cm in cases:
        batch = [preps[i] for i in chosen]
        out, info = run_case(m, batch, hp, Cm, pad_id)
        info.update({"file": f"{cname}/goldens.safetensors", "request_indices": chosen, "hparams": hp,
                     "c": "identity" if Cm is None else "second_moment",
                     "prompts": [{"key": [p.to_json() for p in q.key_prompts], "rewrite": [p.to_json() for p in q.rewrite_prompts],
                                  "kl": q.kl_prompt.to_json(), "target_ids": q.target_ids} for q in batch]})
        manifest["cases"][cname] = info
        tensors[cname] = out
        write_case(folder, cname, out, PRODUCER)
        print(f"  {cname:24s} |Δ| {info['delta_w_rel_float64']} residual {np.mean(info['residual_norm_before_edit']):.4f} -> "
              f"{np.mean(info['residual_norm_after_edit']):.4f} rewrite NLL {np.mean(info['rewrite_nll_before_edit']):.4f} -> "
              f"{np.mean(info['rewrite_nll_after_edit']):.4f}")
    finish(folder, manifest, tensors)


if __name__ == "__main__":
    main()
