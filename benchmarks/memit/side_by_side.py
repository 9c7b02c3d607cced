#!/usr/bin/env python3
"""MEMIT batch edits on the default model, RawEdit against the PyTorch reference, side by side.

For each batch size N: the first N edit cases of weights/tiny-world/counterfact.json in ONE batch,
TinyWorld hparams, the shipped statistics. Ours = `rawedit edit --method memit` (whole process: load,
templates, statistics, the edit, saving); torch = benchmarks/memit/torch_memit.py (whole process:
torch import, load, the edit; memit_ref from tools/reference, float32 model, float64 solve) on the
same token ids (written once by `RawEdit.Benchmarks memit-prompts`). Runs alternate sides, the first
side flipping every round, so background load hits both alike. Reported: median wall seconds of each
side, the ratio ours/torch, the median of each side's own edit-only seconds, and the peak RSS of each
side's process (/usr/bin/time -v "Maximum resident set size" of that process alone).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CASES = os.path.join(ROOT, "weights", "tiny-world", "counterfact.json")


def run(cmd, env=None):
    """(wall seconds, stdout, stderr) of one child process; a failure stops the benchmark."""
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, env=env, text=True)
    out, err = p.stdout, p.stderr
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{err[-2000:]}")
    return wall, out, err


def measured(cmd, env=None):
    """Runs cmd under /usr/bin/time -v: (wall s, peak RSS MiB, stdout)."""
    wall, out, err = run(["/usr/bin/time", "-v"] + cmd, env)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return wall, rss, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rawedit", required=True, help="path of the built rawedit executable")
    ap.add_argument("--prompts-tool", required=True, help="command line of RawEdit.Benchmarks (memit-prompts)")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--hparams", help="MEMIT hparams JSON (upstream keys) given to both sides instead of TinyWorld's, "
                                      "e.g. a small v_num_grad_steps for a smoke run")
    a = ap.parse_args()
    with open(CASES, encoding="utf-8") as f:
        cases = json.load(f)
    work = tempfile.mkdtemp(prefix="rawedit-memit-bench-")
    env = dict(os.environ)
    print(f"MEMIT on weights/tiny-world, one batch, {a.rounds} rounds per side; threads: OMP/OpenBLAS "
          f"{env.get('OMP_NUM_THREADS', 'default')}, .NET all cores unless DOTNET_PROCESSOR_COUNT is set")
    rows = []
    for n in (int(x) for x in a.sizes.split(",")):
        if n > len(cases):
            raise SystemExit(f"only {len(cases)} edit cases")
        requests = os.path.join(work, f"requests-{n}.json")
        prompts = os.path.join(work, f"prompts-{n}.json")
        with open(requests, "w", encoding="utf-8") as f:
            json.dump(cases[:n], f)
        run(a.prompts_tool.split() + ["memit-prompts", requests, prompts])
        ours_cmd = [a.rawedit, "edit", "--model", "tiny-world", "--method", "memit", "--requests", requests,
                    "--out", os.path.join(work, f"edited-{n}")]
        torch_cmd = [a.python, os.path.join(HERE, "torch_memit.py"), "--prompts", prompts]
        if a.hparams:
            ours_cmd += ["--hparams", a.hparams]
            torch_cmd += ["--hparams", a.hparams]
        walls, rss, edit = {"ours": [], "torch": []}, {"ours": [], "torch": []}, {"ours": [], "torch": []}
        for r in range(a.rounds):
            for side in (("ours", "torch") if r % 2 == 0 else ("torch", "ours")):
                wall, peak, out = measured(ours_cmd if side == "ours" else torch_cmd, env)
                walls[side].append(wall)
                rss[side].append(peak)
                if side == "ours":
                    edit[side].append(float(re.search(r"MEMIT: \d+ requests .* in ([0-9.]+) s", out).group(1)))
                else:
                    edit[side].append(json.loads(out.strip().splitlines()[-1])["edit_seconds"])
                print(f"  N={n} round {r} {side}: wall {wall:.1f} s, edit {edit[side][-1]:.1f} s, peak RSS {peak:.0f} MiB", flush=True)
        med = {s: statistics.median(v) for s, v in walls.items()}
        rows.append((n, med["ours"], med["torch"], med["ours"] / med["torch"], statistics.median(edit["ours"]),
                     statistics.median(edit["torch"]), max(rss["ours"]), max(rss["torch"])))
    print()
    print("| edits | ours wall s | torch wall s | ours / torch | ours edit s | torch edit s | ours peak RSS MiB | torch peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| {} | {:.1f} | {:.1f} | {:.2f} | {:.1f} | {:.1f} | {:.0f} | {:.0f} |".format(*row))


if __name__ == "__main__":
    main()
