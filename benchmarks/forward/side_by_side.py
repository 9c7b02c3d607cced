#!/usr/bin/env python3
"""GPT-2 124M forward throughput, RawEdit against PyTorch, in one run.

Both sides run the same architecture (12 layers, n_embd 768, 12 heads, vocabulary 50257) with random
weights, inference only, fp32, on batches of B sequences of T tokens. Samples alternate (ours, torch,
ours, ... with the first side flipping every round) so background load hits both alike; the table gives
median tokens/s of each side and the ratio. PyTorch runs its plain-torch GPT-2 from tools/reference
(Hugging Face semantics) with OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))

sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402
from machine_info import print_machine, print_ratio  # noqa: E402
from server_client import CSharpServer  # noqa: E402
import gpt2_ref  # noqa: E402


def torch_model():
    cfg = gpt2_ref.GPT2Config({"n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024, "vocab_size": 50257})
    gen = torch.Generator().manual_seed(1)
    shapes = gpt2_ref.expected_shapes(cfg)
    params = {name: torch.randn(shapes[name], generator=gen) * 0.02 for name in gpt2_ref.param_names(cfg)}
    return gpt2_ref.GPT2(cfg, params, {n: n for n in params})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--calls", type=int, default=3)
    ap.add_argument("--shapes", default="1x64,4x64")
    ap.add_argument("--ours", required=True, help="command line of the C# forward server")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    model = torch_model()
    ours = CSharpServer(args.ours.split(), greeting="ready")
    print_machine(ours.ask("vector-path"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; GPT-2 124M random weights, fp32, no grad")
    print("| B x T | ours tokens/s | torch tokens/s | ours / torch |")
    print("|---|---:|---:|---:|")
    ratios = []
    for shape in args.shapes.split(","):
        b, t = (int(x) for x in shape.split("x"))
        ids = torch.randint(0, 50257, (b, t), generator=torch.Generator().manual_seed(7))
        ours.ask(f"setup {b} {t}")
        with torch.no_grad():
            gpt2_ref.forward(model, ids)
        mine, theirs = [], []
        for r in range(args.rounds):
            for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                if side == 0:
                    mine.append(b * t * args.calls / float(ours.ask(f"time {args.calls}")))
                else:
                    start = time.perf_counter()
                    with torch.no_grad():
                        for _ in range(args.calls):
                            gpt2_ref.forward(model, ids)
                    theirs.append(b * t * args.calls / (time.perf_counter() - start))
        m, o = statistics.median(mine), statistics.median(theirs)
        print(f"| {b}x{t} | {m:.0f} | {o:.0f} | {m / o:.2f} |", flush=True)
        ratios.append((f"forward-{b}x{t}", 1 / m, 1 / o))   # time ratio = torch tokens/s / ours
    ours.close()
    print()
    for workload, mine_time, their_time in ratios:
        print_ratio(workload, mine_time, their_time)


if __name__ == "__main__":
    main()
