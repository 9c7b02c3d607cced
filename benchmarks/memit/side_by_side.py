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

--torch-parts K splits the torch side into K processes computing z for consecutive slices of the
batch and one process running the layer updates on their saved z (torch_memit.py --z-range/--z-in);
its wall and edit seconds are the sums over the K + 1 processes (so torch's import and model load are
paid K + 1 times), its peak RSS the largest. With --work DIR every finished process is recorded in
DIR/measured.json and a rerun skips it, so a measurement longer than one sitting resumes where it
stopped (an interrupted process is run again from its start).
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
sys.path.insert(0, os.path.dirname(HERE))
from machine_info import print_machine, print_ratio  # noqa: E402


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
    ap.add_argument("--first", choices=["ours", "torch"], default="ours", help="the side that runs first in round 0 (then alternating)")
    ap.add_argument("--torch-parts", type=int, default=1, help="torch side in this many z processes + one update process")
    ap.add_argument("--work", help="folder kept between runs: inputs, saved z, and measured.json to resume from")
    ap.add_argument("--hparams", help="MEMIT hparams JSON (upstream keys) given to both sides instead of TinyWorld's, "
                                      "e.g. a small v_num_grad_steps for a smoke run")
    a = ap.parse_args()
    with open(CASES, encoding="utf-8") as f:
        cases = json.load(f)
    work = a.work or tempfile.mkdtemp(prefix="rawedit-memit-bench-")
    os.makedirs(work, exist_ok=True)
    journal_path = os.path.join(work, "measured.json")
    journal = {}
    if os.path.exists(journal_path):
        with open(journal_path, encoding="utf-8") as f:
            journal = json.load(f)
    # Records only resume the configuration they were measured with.
    config = {"hparams": open(a.hparams, encoding="utf-8").read() if a.hparams else None, "torch_parts": a.torch_parts}
    if journal.setdefault("config", config) != config:
        raise SystemExit(f"{journal_path} was measured with {journal['config']}, not {config}: use another --work folder")

    def once(key, cmd, parse_edit):
        """One measured process, or its record from an earlier run: {wall, rss, edit}."""
        if key in journal:
            print(f"  {key}: recorded earlier", flush=True)
            return journal[key]
        wall, peak, out = measured(cmd, env)
        journal[key] = {"wall": wall, "rss": peak, "edit": parse_edit(out)}
        with open(journal_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(journal, f, indent=1)
        os.replace(journal_path + ".tmp", journal_path)
        return journal[key]

    def ours_edit(out):
        return float(re.search(r"MEMIT: \d+ requests .* in ([0-9.]+) s", out).group(1))

    def torch_edit(out):
        return json.loads(out.strip().splitlines()[-1])["edit_seconds"]

    env = dict(os.environ)
    print_machine(run(a.prompts_tool.split() + ["vector-path"])[1].strip())
    print(f"MEMIT on weights/tiny-world, one batch, {a.rounds} rounds per side; threads: OMP/OpenBLAS "
          f"{env.get('OMP_NUM_THREADS', 'default')}, .NET all cores unless DOTNET_PROCESSOR_COUNT is set")
    rows = []
    for n in (int(x) for x in a.sizes.split(",")):
        if n > len(cases):
            raise SystemExit(f"only {len(cases)} edit cases")
        requests = os.path.join(work, f"requests-{n}.json")
        prompts = os.path.join(work, f"prompts-{n}.json")
        if not os.path.exists(prompts):
            with open(requests, "w", encoding="utf-8") as f:
                json.dump(cases[:n], f)
            run(a.prompts_tool.split() + ["memit-prompts", requests, prompts + ".tmp"])
            os.replace(prompts + ".tmp", prompts)
        ours_cmd = [a.rawedit, "edit", "--model", "tiny-world", "--method", "memit", "--requests", requests,
                    "--out", os.path.join(work, f"edited-{n}")]
        torch_cmd = [a.python, os.path.join(HERE, "torch_memit.py"), "--prompts", prompts]
        if a.hparams:
            ours_cmd += ["--hparams", a.hparams]
            torch_cmd += ["--hparams", a.hparams]
        walls, rss, edit = {"ours": [], "torch": []}, {"ours": [], "torch": []}, {"ours": [], "torch": []}
        for r in range(a.rounds):
            order = ("ours", "torch") if a.first == "ours" else ("torch", "ours")
            for side in (order if r % 2 == 0 else order[::-1]):
                if side == "ours":
                    runs = [once(f"{n}/{r}/ours", ours_cmd, ours_edit)]
                elif a.torch_parts <= 1:
                    runs = [once(f"{n}/{r}/torch", torch_cmd, torch_edit)]
                else:
                    bounds = [n * p // a.torch_parts for p in range(a.torch_parts + 1)]
                    zs = [os.path.join(work, f"z-{n}-{r}-{p}.pt") for p in range(a.torch_parts)]
                    runs = [once(f"{n}/{r}/torch/z{p}", torch_cmd + ["--z-range", f"{bounds[p]}:{bounds[p + 1]}", "--z-out", zs[p]], torch_edit)
                            for p in range(a.torch_parts)]
                    runs.append(once(f"{n}/{r}/torch/update", torch_cmd + ["--z-in"] + zs, torch_edit))
                walls[side].append(sum(x["wall"] for x in runs))
                rss[side].append(max(x["rss"] for x in runs))
                edit[side].append(sum(x["edit"] for x in runs))
                print(f"  N={n} round {r} {side}: wall {walls[side][-1]:.1f} s, edit {edit[side][-1]:.1f} s, "
                      f"peak RSS {rss[side][-1]:.0f} MiB" + (f" ({len(runs)} processes)" if len(runs) > 1 else ""), flush=True)
        med = {s: statistics.median(v) for s, v in walls.items()}
        rows.append((n, med["ours"], med["torch"], med["ours"] / med["torch"], statistics.median(edit["ours"]),
                     statistics.median(edit["torch"]), max(rss["ours"]), max(rss["torch"])))
    print()
    print("| edits | ours wall s | torch wall s | ours / torch | ours edit s | torch edit s | ours peak RSS MiB | torch peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| {} | {:.1f} | {:.1f} | {:.2f} | {:.1f} | {:.1f} | {:.0f} | {:.0f} |".format(*row))
    print()
    for n, ours_wall, torch_wall, *_ in rows:
        print_ratio(f"memit-{n}", ours_wall, torch_wall)


if __name__ == "__main__":
    main()
