#!/usr/bin/env bash
# On the GPU machine (after tools/gpu/publish.sh here; device tool with carry [".gpu"]): our CUDA fp32 GEMM against
# PyTorch's (cuBLAS, TF32 off) at 4096³ and at GPT-2 XL's MLP shapes (2,048 tokens × 1,600 ↔ 6,400, forward and the
# two backward products), three alternating rounds, medians and the ratio ours / cuBLAS (target ≥ 0.5).
set -uo pipefail
out=${OUT:-/tmp}
[ -d .gpu/run/publish ] || { mkdir -p .gpu/run && tar -C .gpu/run -xJf .gpu/checks.tar.xz; }
shapes="4096,4096,4096 2048,6400,1600 2048,1600,6400 1600,6400,2048"
python=$(command -v python3)
for round in 1 2 3; do
  .gpu/run/publish/RawEdit.GpuChecks --gemm $shapes
  "$python" tools/gpu/torch_gemm.py $shapes
done | tee "$out/gemm-bench.jsonl"
"$python" - "$out/gemm-bench.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
shapes = sorted({(r["m"], r["n"], r["k"]) for r in rows}, key=lambda s: -s[0] * s[1] * s[2])
print("| m × n × k | ours TFLOP/s | cuBLAS TFLOP/s | ours / cuBLAS |")
print("|---|---:|---:|---:|")
for s in shapes:
    med = {side: statistics.median(r["tflops"] for r in rows if (r["m"], r["n"], r["k"]) == s and r["side"] == side) for side in ("rawedit", "torch")}
    print(f"| {s[0]} × {s[1]} × {s[2]} | {med['rawedit']:.1f} | {med['torch']:.1f} | {med['rawedit'] / med['torch']:.2f} |")
PY
