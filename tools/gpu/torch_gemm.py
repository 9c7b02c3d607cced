#!/usr/bin/env python3
"""PyTorch's GEMM (cuBLAS), timed between CUDA events: 3 warm-ups, median of 5 × 10 products. tools/gpu/bench-gemm.sh
runs it for bf16, the mode ILGPU's CuBlas does not bind (RawEdit.GpuChecks --gemm times fp32 and TF32 cuBLAS itself).

torch_gemm.py [--mode fp32|tf32|bf16] M,N,K …: fp32 with TF32 off, fp32 with TF32 on, or bf16 operands (fp32
accumulation; cuBLAS writes C in bf16 where ours writes fp32).
"""
import json
import sys

import torch

args = sys.argv[1:]
mode = "fp32"
if args[:1] == ["--mode"]:
    mode, args = args[1], args[2:]
if mode not in ("fp32", "tf32", "bf16"):
    raise SystemExit(f"unknown mode {mode}")
torch.backends.cuda.matmul.allow_tf32 = mode == "tf32"
dtype = torch.bfloat16 if mode == "bf16" else torch.float32
for shape in args:
    m, n, k = (int(x) for x in shape.split(","))
    a = (torch.rand(m, k, device="cuda") - 0.5).to(dtype)
    b = (torch.rand(k, n, device="cuda") - 0.5).to(dtype)
    for _ in range(3):
        c = a @ b
    torch.cuda.synchronize()
    times = []
    for _ in range(5):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(10):
            c = a @ b
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / 10)
    ms = sorted(times)[len(times) // 2]
    print(json.dumps({"side": "torch", "mode": mode, "m": m, "n": n, "k": k, "ms": ms, "tflops": 2.0 * m * n * k / (ms * 1e-3) / 1e12}))
