"""Write EMMET and AlphaEdit goldens (emmet_ref.py, alphaedit_ref.py on memit_ref's pipeline).

  tests/RawEdit.Tests/Goldens/emmet-alphaedit-random/    gpt2-random, the MEMIT goldens' id-level requests,
                                                        layers [1, 2], the MEMIT goldens' second moments
      emmet-1-cov, emmet-1-identity        request 0 alone (n = 1: no emmet_lambda, Delta k = r exactly)
      emmet-8-cov                          requests 0..7 in one batch
      emmet-8-cov-norm                     the same with update_norm_lambda 0.5
      alphaedit-1-cov, alphaedit-8-cov     request 0 / requests 0..7, no earlier edits (Cp = 0)
      alphaedit-seq-cov                    requests 0..3, then 4..7 on the model edited by the first batch,
                                           with Cp = K K^T of the first batch's keys read after its edit
  each case folder holding goldens.safetensors, plus manifest.json and projector.safetensors (P per layer).

Hyperparameters: the MEMIT goldens' (make_memit_goldens.HPARAMS: upstream gpt2-xl values except the
layers, v_loss_layer 3 and mom2_update_weight 2) plus EMMET's emmet_lambda 0.1, update_norm_lambda 0
(upstream hparams/EMMET/gpt2-xl.json), AlphaEdit's nullspace_threshold 2e-2 (upstream) and L2 = 1
(upstream 10: the random model's ||P k||^2 is about 1, so 1 keeps both terms of the system of one order).

Everything in float64 (float32 checkpoint values upcast), stored as float32; AlphaEdit's P and solve are
also run in float32 as upstream does, and the manifest records that run's distance from the goldens.
"""

import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import alphaedit_ref  # noqa: E402
import emmet_ref  # noqa: E402
import memit_ref  # noqa: E402
import safetensors_io  # noqa: E402
from make_memit_goldens import HPARAMS as MEMIT_HPARAMS, LAYERS, N_REQUESTS, batch_manifest, random_model_and_requests  # noqa: E402
from make_rome_goldens import GOLDENS, f32, finish, write_case  # noqa: E402

NAME = "emmet-alphaedit-random"
PRODUCER = "tools/reference/make_emmet_alphaedit_goldens.py"
EMMET = dict(MEMIT_HPARAMS, emmet_lambda=0.1, update_norm_lambda=0.0)
ALPHAEDIT = dict(MEMIT_HPARAMS, nullspace_threshold=2e-2, L2=1.0)
TOLERANCE = 1e-3

DEFINITIONS = {
    "pipeline": "as make_memit_goldens.py (z, grouped keys, cur_z, residual spread, layers in order with the "
                "earlier ones updated); only each layer's Delta differs",
    "emmet delta_w.{l}": "[F, C] Conv1D: Delta^T, Delta = R_i (D^-1 K^T C'^-1) with C' = w C (+ update_norm_lambda I), "
                         "D = K^T C'^-1 K (+ emmet_lambda I when n > 1), w = mom2_update_weight; float64, explicit inverses",
    "alphaedit delta_w.{l}": "[F, C] Conv1D: X = solve(P_l (K K^T + Cp_l) + L2 I, P_l K R_i^T); float64",
    "projector P.{l}": "[F, F] U_s U_s^T over the singular vectors of C_l with singular value < nullspace_threshold (float64 SVD "
                       "of the float32-stored C upcast)",
    "keys_after.{l}": "[n, F] the batch's grouped keys at l read again on the model with all of its layers updated (what "
                      "is added to Cp)",
    "alphaedit-seq-cov": "first batch requests 0..3 (tensors first.*), then requests 4..7 (tensors second.*) with z computed "
                         "on the edited model and Cp_l = keys_after.l^T keys_after.l of the first batch",
}


def tensors_of(res, prefix=""):
    zs = res["z"]
    out = {f"{prefix}h_init": f32(torch.stack([z["v_init"] for z in zs])),
           f"{prefix}delta": f32(torch.stack([z["delta"] for z in zs])),
           f"{prefix}targets": f32(res["targets"])}
    for layer, v in res["layers"].items():
        for key in ("keys", "cur_z", "residual", "delta_w"):
            out[f"{prefix}{key}.{layer}"] = f32(v[key])
    return out


def info_of(res):
    return {"adam_steps": [z["steps"] for z in res["z"]],
            "delta_w_rel_float64": {str(k): float(v["delta_w_rel"]) for k, v in res["layers"].items()}}


def rel(a, b):
    return float(torch.linalg.norm(a.double() - b.double()) / torch.linalg.norm(b.double()))


def grouped_keys_after(res, preps, pad_id):
    return {layer: memit_ref.grouped_keys(res["model"], layer, preps, pad_id) for layer in LAYERS}


def main():
    torch.set_num_threads(1)
    model_dir, m, pad_id, prefixes, reqs, preps = random_model_and_requests()
    folder = os.path.join(GOLDENS, NAME)
    os.makedirs(folder, exist_ok=True)

    moments = safetensors_io.read(os.path.join(GOLDENS, "memit-random", "second_moment.safetensors"))
    moments = moments[0] if isinstance(moments, tuple) else moments
    C = {layer: torch.from_numpy(np.array(moments[f"C.{layer}"])).to(torch.float64) for layer in LAYERS}

    P, P32, projector_info = {}, {}, {}
    threshold = ALPHAEDIT["nullspace_threshold"]
    for layer in LAYERS:
        P[layer], S, count = alphaedit_ref.projector(C[layer], threshold)
        P32[layer], _, count32 = alphaedit_ref.projector(C[layer].float(), threshold, torch.float32)
        margin = float(torch.min(torch.abs(S - threshold)) / threshold)
        assert count == count32 and margin > 1e-3, f"layer {layer}: a singular value lies too close to the threshold"
        projector_info[str(layer)] = {"rank": count, "of": int(S.numel()), "relative_margin_to_threshold": margin,
                                      "float32_projector_rel_diff": rel(P32[layer], P[layer])}
    safetensors_io.write(os.path.join(folder, "projector.safetensors"), {f"P.{x}": f32(P[x]) for x in LAYERS},
                         {"format": "pt", "producer": PRODUCER})

    zres = [memit_ref.compute_z(m, LAYERS[-1], p, MEMIT_HPARAMS, pad_id) for p in preps]   # unedited model, reused
    zero = {layer: torch.zeros_like(C[layer]) for layer in LAYERS}
    everyone = list(range(N_REQUESTS))
    manifest = batch_manifest(NAME, model_dir, m, pad_id, prefixes, reqs)
    manifest.update({
        "definitions": DEFINITIONS,
        "second_moment": {"file": "../memit-random/second_moment.safetensors", "tensors": {f"C.{x}": "float32" for x in LAYERS}},
        "projector": {"file": "projector.safetensors", "threshold": threshold, "per_layer": projector_info},
        "tolerances": {"delta_w_rel": TOLERANCE, "rel_definition": "||a - b||_F / ||b||_F per tensor, b = golden"},
        "cases": {},
    })
    tensors = {}

    def record(cname, chosen, hp, c_kind, out, info, method):
        batch = [preps[i] for i in chosen]
        info.update({"file": f"{cname}/goldens.safetensors", "method": method, "request_indices": chosen, "hparams": hp, "c": c_kind,
                     "prompts": [{"key": [p.to_json() for p in q.key_prompts], "rewrite": [p.to_json() for p in q.rewrite_prompts],
                                  "kl": q.kl_prompt.to_json(), "target_ids": q.target_ids} for q in batch]})
        manifest["cases"][cname] = info
        tensors[cname] = out
        write_case(folder, cname, out, PRODUCER)
        print(f"  {cname:20s} {info['delta_w_rel_float64'] if 'delta_w_rel_float64' in info else ''}")

    for cname, chosen, hp, Cm in [("emmet-1-cov", [0], EMMET, C), ("emmet-1-identity", [0], EMMET, None),
                                  ("emmet-8-cov", everyone, EMMET, C),
                                  ("emmet-8-cov-norm", everyone, dict(EMMET, update_norm_lambda=0.5), C)]:
        pseudo = {}
        res = memit_ref.memit_edit(m, LAYERS, [preps[i] for i in chosen], hp, Cm, pad_id, zres=[zres[i] for i in chosen],
                                   update=emmet_ref.emmet_update(hp, Cm, pseudo))
        info = info_of(res)
        info["pseudo_inverse"] = {str(k): v for k, v in pseudo.items()}
        if len(chosen) == 1:   # ROME's equality: the last layer's Delta maps its key to exactly its spread residual
            last = res["layers"][LAYERS[-1]]
            k = last["keys"][0].double()
            info["equality_check_rel"] = rel(last["delta_w"].t() @ k, last["residual"][0] / 1.0)
        record(cname, chosen, hp, "identity" if Cm is None else "second_moment", tensors_of(res), info, "emmet")

    for cname, chosen in [("alphaedit-1-cov", [0]), ("alphaedit-8-cov", everyone)]:
        batch = [preps[i] for i in chosen]
        res = memit_ref.memit_edit(m, LAYERS, batch, ALPHAEDIT, C, pad_id, zres=[zres[i] for i in chosen],
                                   update=alphaedit_ref.alphaedit_update(ALPHAEDIT, P, zero))
        res32 = memit_ref.memit_edit(m, LAYERS, batch, ALPHAEDIT, C, pad_id, zres=[zres[i] for i in chosen],
                                     update=alphaedit_ref.alphaedit_update(ALPHAEDIT, P32, zero, torch.float32))
        out = tensors_of(res)
        after = grouped_keys_after(res, batch, pad_id)
        for layer in LAYERS:
            out[f"keys_after.{layer}"] = f32(after[layer])
        info = info_of(res)
        info["float32_as_upstream_rel_diff"] = {str(x): rel(res32["layers"][x]["delta_w"], res["layers"][x]["delta_w"]) for x in LAYERS}
        record(cname, chosen, ALPHAEDIT, "second_moment", out, info, "alphaedit")

    first, second = [0, 1, 2, 3], [4, 5, 6, 7]
    res1 = memit_ref.memit_edit(m, LAYERS, [preps[i] for i in first], ALPHAEDIT, C, pad_id, zres=[zres[i] for i in first],
                                update=alphaedit_ref.alphaedit_update(ALPHAEDIT, P, zero))
    after1 = grouped_keys_after(res1, [preps[i] for i in first], pad_id)
    Cp = {layer: after1[layer].t().double() @ after1[layer].double() for layer in LAYERS}
    edited = memit_ref.edited(m, {x: v["delta_w"] for x, v in res1["layers"].items()})
    res2 = memit_ref.memit_edit(edited, LAYERS, [preps[i] for i in second], ALPHAEDIT, C, pad_id,
                                update=alphaedit_ref.alphaedit_update(ALPHAEDIT, P, Cp))
    out = {**tensors_of(res1, "first."), **tensors_of(res2, "second.")}
    for layer in LAYERS:
        out[f"first.keys_after.{layer}"] = f32(after1[layer])
    info = {"first": info_of(res1), "second": info_of(res2), "first_request_indices": first, "second_request_indices": second,
            "adam_steps": info_of(res1)["adam_steps"] + info_of(res2)["adam_steps"]}
    record("alphaedit-seq-cov", everyone, ALPHAEDIT, "second_moment", out, info, "alphaedit")
    finish(folder, manifest, tensors)


if __name__ == "__main__":
    main()
