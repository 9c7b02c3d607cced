#!/usr/bin/env bash
# On the GPU machine (after tools/gpu/publish.sh here; device tool with carry [".gpu"]): our CUDA GEMM against
# PyTorch's (cuBLAS) at 4096³ and at GPT-2 XL's MLP shapes (2,048 tokens × 1,600 ↔ 6,400, forward and the two
# backward products), in each mode (fp32 with TF32 off — the issue's target, ≥ 0.5 — then TF32 and bf16 tensor
# cores; MODES="fp32" to time only that), three alternating rounds, medians and the ratio ours / cuBLAS.
set -uo pipefail
source "$(dirname "$0")/env.sh"
shapes="4096,4096,4096 2048,6400,1600 2048,1600,6400 1600,6400,2048"
python=$(command -v python3)
for round in 1 2 3; do
  for mode in ${MODES:-fp32 tf32 bf16}; do
    "$checks" --gemm --mode "$mode" $shapes
    "$python" tools/gpu/torch_gemm.py --mode "$mode" $shapes
  done
done | tee "$out/gemm-bench.jsonl"
"$python" - "$out/gemm-bench.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
keys = sorted({(r["mode"], r["m"], r["n"], r["k"]) for r in rows}, key=lambda s: (["fp32", "tf32", "bf16"].index(s[0]), -s[1] * s[2] * s[3]))
print("| mode | m × n × k | ours TFLOP/s | cuBLAS TFLOP/s | ours / cuBLAS |")
print("|---|---|---:|---:|---:|")
for key in keys:
    med = {side: statistics.median(r["tflops"] for r in rows if (r["mode"], r["m"], r["n"], r["k"]) == key and r["side"] == side)
           for side in ("rawedit", "torch")}
    print(f"| {key[0]} | {key[1]} × {key[2]} × {key[3]} | {med['rawedit']:.1f} | {med['torch']:.1f} | {med['rawedit'] / med['torch']:.2f} |")
PY
