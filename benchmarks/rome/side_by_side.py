#!/usr/bin/env python3
"""One ROME edit (21 context templates, 20 value-optimisation iterations), RawEdit against the PyTorch reference.

The C# side (RawEdit.Benchmarks rome-server) loads the model, tokenises the request, generates the context
templates and writes the token-level prompts and hyperparameters to a JSON file; the PyTorch side
(tools/reference/rome_ref.py, float32, OpenBLAS) edits the same prompts with the same hyperparameters, so both
run the same algorithm on the same inputs: subject keys over the 21 key prompts, the v* optimisation (forward
and backward through the layers above the edited one, every step), and the rank-one update. Samples alternate
(ours, torch, ... with the first side flipping every round); the table gives medians and ours / torch.

Models: the embedded default model (weights/tiny-world, layer 0, its own second moment), a GPT-2 124M-shaped
random model (12 × 768, vocabulary 50257, layer 5, C = I) and, for a GPU (`--models gpt2-xl-random --device cuda`,
tools/gpu/bench-rome.sh), a GPT-2 XL-shaped one (48 × 1600, layer 17 as upstream's gpt2-xl hparams, C = I), written
once to --scratch in float32. With --device cuda both sides run on the GPU (RawEdit by RAWEDIT_DEVICE=cuda, set
here for the server; PyTorch with the model, C and every tensor it creates on the GPU, timed to a synchronize).
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402
import gpt2_ref  # noqa: E402
import rome_ref  # noqa: E402
import safetensors_io  # noqa: E402
from machine_info import print_machine, print_ratio  # noqa: E402
from server_client import CSharpServer  # noqa: E402


RANDOM_SHAPES = {"gpt2-124m-random": (768, 12, 12), "gpt2-xl-random": (1600, 48, 25)}   # n_embd, n_layer, n_head


def write_random(folder, n_embd, n_layer, n_head):
    """GPT-2 shapes, N(0, 0.02) weights, unit layer-norm gains, zero biases, `transformer.` keys, f32."""
    if os.path.exists(os.path.join(folder, "model.safetensors")):
        return folder
    os.makedirs(folder, exist_ok=True)
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "activation_function": "gelu_new",
              "n_embd": n_embd, "n_layer": n_layer, "n_head": n_head, "n_positions": 1024, "n_ctx": 1024, "n_inner": None,
              "vocab_size": 50257, "layer_norm_epsilon": 1e-5, "bos_token_id": 50256, "eos_token_id": 50256}
    cfg = gpt2_ref.GPT2Config(config)
    rng = np.random.default_rng(20241201)
    tensors = {}
    for name, shape in gpt2_ref.expected_shapes(cfg).items():
        if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
            value = np.ones(shape, np.float32)
        elif name.endswith("bias"):
            value = np.zeros(shape, np.float32)
        else:
            value = (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float32)
        tensors[gpt2_ref.PREFIX + name] = value
    safetensors_io.write(os.path.join(folder, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return folder


def prepared_from(setup):
    def prompt(p):
        return rome_ref.Prompt(p["ids"], p["subject_last"])
    return rome_ref.Prepared([prompt(p) for p in setup["key_prompts"]], [prompt(p) for p in setup["rewrite_prompts"]],
                             prompt(setup["kl_prompt"]), setup["target_ids"])


def torch_side(setup, device):
    model = gpt2_ref.load(setup["model"]).to(torch.float32, device=device)
    C = None
    if setup["hparams"]["mom2_adjustment"]:
        tensors, _ = safetensors_io.read(setup["stats_file"])
        C = torch.from_numpy(tensors["C"].astype(np.float32)).to(device)
    prep = prepared_from(setup)

    def edit():
        start = time.perf_counter()
        result = rome_ref.rome_edit(model, setup["layer"], prep, setup["hparams"], "rome", C, setup["pad_id"])
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start, result["iterations"], torch.linalg.norm(result["delta_w"]).item()
    return edit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--models", default="tiny-world,gpt2-124m-random")
    ap.add_argument("--scratch", default=os.path.join(tempfile.gettempdir(), "rawedit-bench"))
    ap.add_argument("--ours", required=True, help="command line of the C# rome server")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where both sides run")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    if args.device == "cuda":
        if not hasattr(torch, "set_default_device"):
            raise SystemExit(f"--device cuda needs torch 2.0 or later (torch.set_default_device); this is {torch.__version__}")
        torch.set_default_device("cuda")   # every tensor rome_ref creates
        os.environ["RAWEDIT_DEVICE"] = "cuda"
    ours = CSharpServer(args.ours.split(), greeting="ready")
    print_machine(ours.ask("vector-path"))
    where = torch.cuda.get_device_name() if args.device == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {where}, float32; one ROME edit (mode rome), {args.rounds} alternated samples per side")
    print("| model | layer | iterations ours / torch | ‖ΔW‖ rel. diff | ours s (median) | torch s (median) | ours / torch |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for name in args.models.split(","):
        folder = write_random(os.path.join(args.scratch, name), *RANDOM_SHAPES[name]) if name in RANDOM_SHAPES else name
        setup_path = os.path.join(args.scratch, f"{name}.rome.json")
        os.makedirs(args.scratch, exist_ok=True)
        ours.ask(f"setup {folder} {setup_path}")
        with open(setup_path) as f:
            setup = json.load(f)
        theirs_edit = torch_side(setup, args.device)
        theirs_edit()  # warm-up, as the C# side's setup ran one edit
        mine, theirs, iters, norms = [], [], [None, None], [None, None]
        for r in range(args.rounds):
            for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                if side == 0:
                    seconds, it, norm = ours.ask("time").split()
                    mine.append(float(seconds))
                    iters[0], norms[0] = int(it), float(norm)
                else:
                    seconds, it, norm = theirs_edit()
                    theirs.append(seconds)
                    iters[1], norms[1] = it, norm
        m, o = statistics.median(mine), statistics.median(theirs)
        rel = abs(norms[0] - norms[1]) / norms[1]
        print(f"| {name} | {setup['layer']} | {iters[0]} / {iters[1]} | {rel:.1e} | {m:.3f} | {o:.3f} | {m / o:.2f} |", flush=True)
        ratios.append((f"rome-{name}", m, o))
    ours.close()
    print()
    for workload, mine_time, their_time in ratios:
        print_ratio(workload, mine_time, their_time)


if __name__ == "__main__":
    main()
