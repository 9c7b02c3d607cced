#!/usr/bin/env python3
"""Side-by-side fp32 GEMM benchmark: RawEdit CpuGemm vs PyTorch torch.matmul (OpenBLAS).

Shapes (M x K x N, C[M,N] = A[M,K] . op(B)[K,N]):
  1024^3, GPT-2 256x768x3072, 256x3072x768, and the LM head 256x768x50257 with B = wte stored
  [50257, 768] used transposed (x . wte^T), as in the model.

Both sides run in their own process; this script drives the C# side over a pipe (GemmServer.cs)
and alternates: in every round one timed sample of ours and one of torch (who goes first flips
each round), so they never run at the same time and drift/noise hits both alike. A sample is
`calls` back-to-back calls (calibrated to >= --min-sample seconds); the table shows medians.
Run through run.sh, which sets OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2.
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from machine_info import print_machine, print_ratio  # noqa: E402
from server_client import CSharpServer  # noqa: E402

SHAPES = [
    ("1024^3", 1024, 1024, 1024, False),
    ("256x768x3072", 256, 768, 3072, False),
    ("256x3072x768", 256, 3072, 768, False),
    ("256x768x50257_lmhead_tB", 256, 768, 50257, True),
]
# Small-problem checks (--shapes extra): single-token matrix-vector, one attention head, tiny k.
EXTRA = [
    ("1x768x3072", 1, 768, 3072, False),
    ("1x768x50257_tB", 1, 768, 50257, True),
    ("4x768x3072", 4, 768, 3072, False),
    ("256x64x256_tB", 256, 64, 256, True),
    ("64x64x64", 64, 64, 64, False),
    ("256x8x256", 256, 8, 256, False),
]


class Ours(CSharpServer):
    def setup(self, name, threads):
        self.ask(f"setup {name} {threads}")

    def time(self, calls):
        return float(self.ask(f"time {calls}"))


class Torch:
    def __init__(self, m, k, n, trans_b):
        g = torch.Generator().manual_seed(1)
        self.a = torch.rand(m, k, generator=g) * 2 - 1
        if trans_b:
            self.w = torch.rand(n, k, generator=g) * 2 - 1   # wte [N, K]
            self.b = self.w.t()                               # view [K, N], no copy -> BLAS transB
        else:
            self.b = torch.rand(k, n, generator=g) * 2 - 1
        self.c = torch.empty(m, n)
        for _ in range(3):
            self.run()

    def run(self):
        torch.matmul(self.a, self.b, out=self.c)

    def time(self, calls):
        t0 = time.perf_counter()
        for _ in range(calls):
            self.run()
        return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="command line of the C# gemm-server")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--min-sample", type=float, default=0.15, help="seconds per timed sample (sets calls)")
    ap.add_argument("--shapes", default="all", help="comma-separated shape names, 'all' (the four main shapes) or 'extra'")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    env = {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    ours = Ours(args.ours.split())
    print_machine(ours.ask("vector-path"))
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}")
    print(f"env {env}; ours: {args.threads} threads; {args.rounds} alternating rounds per shape")
    print()

    if args.shapes == "all":
        todo = SHAPES
    elif args.shapes == "extra":
        todo = EXTRA
    else:
        names = args.shapes.split(",")
        todo = [s for s in SHAPES + EXTRA if s[0] in names]
    rows = []
    try:
        for name, m, k, n, tb in todo:
            flops = 2.0 * m * n * k
            ours.setup(name, args.threads)
            th = Torch(m, k, n, tb)
            # Calibrate calls per sample on the faster of the two single-call times.
            single = min(ours.time(1), th.time(1))
            calls = max(1, int(args.min_sample / max(single, 1e-6) + 0.5))
            o_times, t_times = [], []
            for r in range(args.rounds):
                order = (0, 1) if r % 2 == 0 else (1, 0)
                for side in order:
                    if side == 0:
                        o_times.append(ours.time(calls) / calls)
                    else:
                        t_times.append(th.time(calls) / calls)
            o = flops / statistics.median(o_times) / 1e9
            t = flops / statistics.median(t_times) / 1e9
            rows.append((name, o, t, o / t, calls))
            print(f"  {name}: ours {o:.1f}  torch {t:.1f}  GFLOP/s  (calls/sample {calls})", flush=True)
            del th
    finally:
        ours.close()

    print()
    print(f"| shape (M x K x N) | ours GFLOP/s | torch GFLOP/s | ours / torch |")
    print(f"|---|---:|---:|---:|")
    for name, o, t, ratio, _ in rows:
        print(f"| {name} | {o:.1f} | {t:.1f} | {ratio:.2f} |")
    print()
    for name, o, t, _, _ in rows:
        print_ratio(f"gemm-{name}", 1 / o, 1 / t)   # time ratio = torch GFLOP/s / ours


if __name__ == "__main__":
    sys.exit(main())
