#!/usr/bin/env python3
"""PyTorch's fp32 GEMM (cuBLAS, TF32 off) timed like RawEdit.GpuChecks --gemm: 3 warm-ups, median of 5 × 10 products."""
import json
import sys

import torch

torch.backends.cuda.matmul.allow_tf32 = False
for shape in sys.argv[1:]:
    m, n, k = (int(x) for x in shape.split(","))
    a = torch.rand(m, k, device="cuda") - 0.5
    b = torch.rand(k, n, device="cuda") - 0.5
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
    print(json.dumps({"side": "torch", "m": m, "n": n, "k": k, "ms": ms, "tflops": 2.0 * m * n * k / (ms * 1e-3) / 1e12}))
