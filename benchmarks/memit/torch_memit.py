#!/usr/bin/env python3
"""The PyTorch side of the MEMIT benchmark: tools/reference/memit_ref.py on the default model.

Reads the inputs RawEdit's edit would run (written by `RawEdit.Benchmarks memit-prompts`: token ids,
subject-last indices, the TinyWorld hparams), loads weights/tiny-world through gpt2_ref (f16 -> f32)
and the shipped second moments, runs memit_edit in float32 (the solve in float64, as upstream) and
prints one JSON line: seconds of the edit (z optimisation + all layers), model/statistics load time,
|Δ| per layer.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))

import torch  # noqa: E402
import gpt2_ref  # noqa: E402
import memit_ref  # noqa: E402
import rome_ref  # noqa: E402
import safetensors_io  # noqa: E402


def prompt(p):
    return rome_ref.Prompt(p["ids"], p["subject_last"])


def second_moment(stats_dir, layer, samples):
    """The one mom2-layer{layer}-*-{samples}.safetensors under stats_dir/<model hash>/."""
    found = [os.path.join(d, f) for d, _, files in os.walk(stats_dir) for f in files
             if f.startswith(f"mom2-layer{layer}-") and f.endswith(f"-{samples}.safetensors")]
    if len(found) != 1:
        raise SystemExit(f"expected one layer-{layer} statistics file with {samples} samples under {stats_dir}, found {len(found)}")
    tensors, _ = safetensors_io.read(found[0])
    return torch.from_numpy(tensors["C"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", required=True, help="JSON from RawEdit.Benchmarks memit-prompts")
    ap.add_argument("--model", default=os.path.join(ROOT, "weights", "tiny-world"))
    ap.add_argument("--hparams", help="JSON with upstream MEMIT keys overriding the TinyWorld ones (as rawedit --hparams)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument("--z-range", help="A:B, compute and save only the z of requests A..B-1 (with --z-out)")
    ap.add_argument("--z-out", help="file for --z-range's z vectors")
    ap.add_argument("--z-in", nargs="+", help="files of --z-out covering every request in order: skip the z optimisation")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    with open(a.prompts, encoding="utf-8") as f:
        job = json.load(f)
    hp = job["hparams"]
    if a.hparams:
        with open(a.hparams, encoding="utf-8") as f:
            hp = dict(hp, **json.load(f))
    model = gpt2_ref.load(a.model).to(torch.float32)
    C = {x: second_moment(os.path.join(a.model, "stats"), x, hp["mom2_n_samples"]) for x in hp["layers"]} if hp["mom2_adjustment"] else None
    preps = [rome_ref.Prepared([prompt(p) for p in r["key"]], [prompt(p) for p in r["rewrite"]], prompt(r["kl"]), r["target_ids"])
             for r in job["requests"]]
    loaded = time.perf_counter()
    if a.z_range:
        first, end = (int(x) for x in a.z_range.split(":"))
        z = torch.stack([memit_ref.compute_z(model, hp["layers"][-1], p, hp, job["pad_token_id"])["z"] for p in preps[first:end]])
        done = time.perf_counter()
        torch.save({"first": first, "z": z}, a.z_out)
        print(json.dumps({"requests": end - first, "z_range": a.z_range, "edit_seconds": done - loaded, "load_seconds": loaded - start}))
        return
    zres = None
    if a.z_in:
        parts = [torch.load(f) for f in a.z_in]
        if [p["first"] for p in parts] != sorted(p["first"] for p in parts) or parts[0]["first"] != 0:
            raise SystemExit("--z-in files must be given in request order, starting at request 0")
        zres = [{"z": z} for z in torch.cat([p["z"] for p in parts])]
    res = memit_ref.memit_edit(model, hp["layers"], preps, hp, C, job["pad_token_id"], zres=zres)
    done = time.perf_counter()
    print(json.dumps({"requests": len(preps), "edit_seconds": done - loaded, "load_seconds": loaded - start,
                      "delta_magnitude": {str(k): float(v["delta_w_rel"]) for k, v in res["layers"].items()}}))


if __name__ == "__main__":
    main()
