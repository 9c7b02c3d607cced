"""Write MEND goldens (mend_ref.py) for the C# editing code.

  tests/RawEdit.Tests/Goldens/mend-random/{goldens.safetensors, manifest.json}

On gpt2-random, editing both MLP matrices of the last three blocks (6 matrices, 2 shapes, 3 modes each):
  init.*      editor parameters at start (U = 0, V ~ N(0,1) from torch.Generator seed, b 0, s 1, t 0), edit_lrs
  step{1,2}.grad.*   accumulated gradients before clipping (upstream's windows: accumulate_bs + 1 examples
                     in the first step, accumulate_bs in the second; each gradient divided by accumulate_bs)
  step{1,2}.after.*  parameters after the clip and the Adam steps as upstream's trainer.py makes them: Adam(lr)
                     over the networks and edit_lrs, then Adam(lr_lr) over edit_lrs with the cleared gradient
  step{1,2}.stats.*  Welford state after the step (mean, M2; count in the manifest)
  eval.*      one more request, editor in eval mode after step 2: the captured u and d per matrix,
              the editor's outputs u', d' and the weight change alpha * sum_i u'_i d'_i^T
Requests are id-level (ids drawn below the vocabulary with numpy PCG64): edit_inner = prompt + target
(NLL on the target), edit_outer = [that sequence, a paraphrase prefix + target], loc = 2 sequences.
Everything in float64 (float32 checkpoint values upcast; V drawn in float64 and rounded to float32
first), stored as float32.
"""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import mend_ref  # noqa: E402
import safetensors_io  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
GOLDENS = os.path.join(REPO, "tests", "RawEdit.Tests", "Goldens")
MODEL_DIR = os.path.join(GOLDENS, "gpt2-random")
OUT = os.path.join(GOLDENS, "mend-random")

HPARAMS = {
    "edit_lr": 1e-3, "lr": 3e-4, "lr_lr": 1e-2, "cedit": 0.1, "cloc": 1.0,
    "rank": 16, "n_hidden": 1, "accumulate_bs": 2, "grad_clip": 0.5, "edit_lr_optimizer": "outer",
}
INIT_SEED = 20240614
REQUEST_SEED = 20240616
PAD = 1023


def request(rng, vocab):
    def ids(n):
        return [int(x) for x in rng.integers(0, vocab - 1, size=n)]
    prompt, target = ids(int(rng.integers(4, 8))), ids(int(rng.integers(1, 4)))
    paraphrase = ids(int(rng.integers(3, 9)))
    loc = [ids(6), ids(4)]
    inner = [prompt + target]
    return {
        "inner": (inner, [len(prompt)]),
        "outer": ([prompt + target, paraphrase + target], [len(prompt), len(paraphrase)]),
        "loc": loc,
    }


def as_f32(t):
    return t.detach().to(torch.float32).numpy()


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = gpt2_ref.load(MODEL_DIR).to(torch.float64)
    n_layer = model.cfg.n_layer
    inner = [f"h.{l}.mlp.{m}.weight" for l in range(n_layer - 3, n_layer) for m in ("c_fc", "c_proj")]
    mend = mend_ref.Mend(model, inner, HPARAMS["rank"], HPARAMS["n_hidden"], HPARAMS["edit_lr"], INIT_SEED)
    rng = np.random.Generator(np.random.PCG64(REQUEST_SEED))
    examples = [request(rng, model.cfg.vocab_size) for _ in range(6)]

    tensors, manifest_steps = {}, []
    for name, p in mend.all_parameters():
        tensors["init." + name] = as_f32(p)
    opt = mend_ref.Adam([p for _, p in mend.all_parameters()], HPARAMS["lr"])   # outer_parameters(): networks + edit_lrs
    lr_opt = mend_ref.Adam([mend.edit_lrs], HPARAMS["lr_lr"])
    windows = ((1, [0, 1, 2]), (2, [3, 4]))
    for step, members in windows:
        batch = [examples[i] for i in members]
        logs, raw, norm, clipped = mend_ref.train_step(model, mend, batch, HPARAMS, opt, lr_opt, PAD)
        for (name, p), g in zip(mend.all_parameters(), raw):
            tensors[f"step{step}.grad.{name}"] = as_f32(g)
            tensors[f"step{step}.after.{name}"] = as_f32(p)
        counts = {}
        for s in mend.shapes:
            net = mend.nets[s]
            key = f"{s[0]}x{s[1]}"
            for stat in ("u_mean", "v_mean", "u_s", "v_s"):
                tensors[f"step{step}.stats.{key}.{stat}"] = getattr(net, stat).to(torch.float32).numpy()
            counts[key] = net.k
        manifest_steps.append({"step": step, "examples": members, "losses": logs,
                               "grad_norm_float64": norm, "clipped": clipped, "stats_count": counts})

    factors, _ = mend_ref.gradient_factors(model, mend, examples[5]["inner"], PAD)
    with torch.no_grad():
        deltas = mend_ref.delta_weights(model, mend, factors, training=False)
    for i, n in enumerate(inner):
        dw, u2, d2, _, _ = deltas[n]
        tensors[f"eval.u.{n}"] = as_f32(factors[n][0])
        tensors[f"eval.delta.{n}"] = as_f32(factors[n][1])
        tensors[f"eval.editor_u.{n}"] = as_f32(u2)
        tensors[f"eval.editor_d.{n}"] = as_f32(d2)
        tensors[f"eval.delta_w.{n}"] = as_f32(mend.edit_lrs[i] * dw)

    os.makedirs(OUT, exist_ok=True)
    safetensors_io.write(os.path.join(OUT, "goldens.safetensors"), tensors)
    manifest = {
        "model_dir": os.path.relpath(MODEL_DIR, REPO),
        "pad_token_id": PAD,
        "inner_params": ["transformer." + n for n in inner],
        "hparams": HPARAMS,
        "init_seed": INIT_SEED,
        "request_seed": REQUEST_SEED,
        "examples": [{"inner": {"ids": e["inner"][0], "target_starts": e["inner"][1]},
                      "outer": {"ids": e["outer"][0], "target_starts": e["outer"][1]},
                      "loc": e["loc"]} for e in examples],
        "steps": manifest_steps,
        "eval_example": 5,
        "eval_rows": {("transformer." + n): int(factors[n][0].shape[0]) for n in inner},
        "definitions": {
            "parameter names": "{in}x{out}.layers.{i}.{u|v|bias|mode_scale|mode_shift}; edit_lrs [n_matrices] in inner_params order",
            "mode": "index of the matrix among the inner_params of its shape",
            "stats": "Welford mean and M2 (sum of squared deviations) over every kept row; std = sqrt(M2/(k-1))",
            "delta_w": "alpha * sum_i u'_i d'_i^T in the Conv1D orientation [in, out]",
            "targets": "token t >= target_start of a sequence is scored from the logits at t - 1",
        },
        "tolerances": {"relative_error": 1e-3},
        "tensors": {k: list(v.shape) for k, v in sorted(tensors.items())},
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for s in manifest_steps:
        print(f"step {s['step']}: |g| {s['grad_norm_float64']:.4g} clipped {s['clipped']} "
              f"losses {[round(l['total'], 5) for l in s['losses']]}")
    upd = {n: float(np.linalg.norm(tensors[f"step2.after.{n}"] - tensors[f"init.{n}"])) for n, _ in mend.all_parameters()}
    print("update norms after 2 steps:", {k: f"{v:.3g}" for k, v in upd.items() if "layers.0" in k or k == "edit_lrs"})
    for n in inner:
        dw = tensors[f"eval.delta_w.{n}"]
        print(n, "rows", factors[n][0].shape[0], "|alpha dW|", f"{np.linalg.norm(dw):.4g}")


if __name__ == "__main__":
    main()
