#!/usr/bin/env bash
# On the GPU machine (after tools/gpu/publish.sh here; device tool with carry [".gpu"]): one ROME edit (21 templates,
# 20 iterations, C = I) on a GPT-2 XL-shaped random model (48 × 1600, layer 17, written once to /tmp in float32),
# RawEdit on CUDA against the PyTorch reference on the same GPU, alternating, medians (issue 9's target: ≤ 1 s; the
# original code needs about 2 s on an A6000). MODELS / ROUNDS override the defaults.
set -uo pipefail
source "$(dirname "$0")/env.sh"
python=$(command -v python3)
"$python" benchmarks/rome/side_by_side.py --device cuda --models "${MODELS:-gpt2-xl-random}" --rounds "${ROUNDS:-3}" \
  --scratch /tmp/rawedit-bench --ours "$checks --rome-server" 2>&1 | tee "$out/rome-bench.txt"
exit "${PIPESTATUS[0]}"
