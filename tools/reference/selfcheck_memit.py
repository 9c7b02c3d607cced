"""Manual checks of the MEMIT goldens (not a CI test): the stored goldens are reproduced by a
rerun, a float32 run of the same reference lands near them (the drift the C# tolerance must
absorb), and the float64 update solves its normal equations.

  /usr/bin/python3 tools/reference/selfcheck_memit.py     # ~1 min, prints ALL OK
"""

import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import make_memit_goldens as mmg  # noqa: E402
import memit_ref  # noqa: E402
import safetensors_io  # noqa: E402


def rel(a, b):
    return float(torch.linalg.norm(a.double() - b.double()) / torch.linalg.norm(b.double()))


def main():
    torch.set_num_threads(1)
    folder = os.path.join(mmg.GOLDENS, mmg.NAME)
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    base = gpt2_ref.load(os.path.join(mmg.GOLDENS, "gpt2-random"))
    pad_id = manifest["pad_token_id"]
    preps = [mmg.prep_of(r, manifest["template_prefixes"]) for r in manifest["requests"]]
    stored, _ = safetensors_io.read(os.path.join(folder, "second_moment.safetensors"))
    ok = True
    for cname, case in manifest["cases"].items():
        golden, _ = safetensors_io.read(os.path.join(folder, case["file"]))
        hp = case["hparams"]
        C = None if case["c"] == "identity" else {x: torch.from_numpy(stored[f"C.{x}"]) for x in hp["layers"]}
        res = memit_ref.memit_edit(base.to(torch.float32), hp["layers"], [preps[i] for i in case["request_indices"]], hp, C, pad_id)
        errs = {x: rel(v["delta_w"], torch.from_numpy(golden[f"delta_w.{x}"])) for x, v in res["layers"].items()}
        # the update satisfies (lambda C + K K^T) Delta^T = K R_i^T  (float64 check on the golden's own K, R)
        x = hp["layers"][0]
        K = torch.from_numpy(golden[f"keys.{x}"]).double().t()
        R = torch.from_numpy(golden[f"residual.{x}"]).double().t() / len(hp["layers"])
        Cl = torch.eye(K.shape[0], dtype=torch.float64) if C is None else C[x].double()
        A = hp["mom2_update_weight"] * Cl + K @ K.t()
        dW = torch.from_numpy(golden[f"delta_w.{x}"]).double()
        normal = rel(A @ dW, K @ R.t())
        worst = max(errs.values())
        print(f"  {cname:24s} float32 vs golden ΔW {', '.join(f'{k}: {v:.2e}' for k, v in errs.items())}; "
              f"normal equations {normal:.2e}")
        ok &= worst < 3e-4 and normal < 1e-5
    print("ALL OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
