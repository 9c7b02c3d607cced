#!/usr/bin/env bash
# On the GPU machine (after tools/gpu/publish.sh here; device tool with carry [".gpu"]): our GEMM against cuBLAS
# (through ILGPU.Algorithms' CuBlas, in the same process) at 4096³, GPT-2 XL's MLP (2,048 tokens × 1,600 ↔ 6,400:
# forward, input gradient, weight gradient) and GPT-J 6B's (2,048 × 4,096 ↔ 16,384), in each mode: fp32 with TF32 off
# (issue 9's target: ours / cuBLAS ≥ 0.5), TF32, bf16 (MODE=fp32|tf32|bf16|all, ROUNDS alternating rounds; medians,
# ratios and ours-against-cuBLAS differences in $OUT/gemm-bench.txt). ILGPU's CuBlas has no bf16 GEMM: where the
# machine has PyTorch, its bf16 matmul (cuBLAS too) is timed beside ours ($OUT/gemm-bench-torch.jsonl).
set -uo pipefail
source "$(dirname "$0")/env.sh"
shapes="4096,4096,4096 2048,6400,1600 2048,1600,6400 1600,6400,2048 2048,16384,4096 2048,4096,16384 4096,16384,2048"
"$checks" --gemm --mode "${MODE:-all}" --rounds "${ROUNDS:-3}" $shapes 2>&1 | tee "$out/gemm-bench.txt"
status=${PIPESTATUS[0]}
if [[ "${MODE:-all}" =~ ^(all|bf16)$ ]] && python3 -c "import torch" 2>/dev/null; then
  python3 tools/gpu/torch_gemm.py --mode bf16 $shapes | tee "$out/gemm-bench-torch.jsonl"
fi
exit "$status"
