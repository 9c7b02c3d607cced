#!/usr/bin/env bash
# Everything a GPU session checks, in one device call (the device time is short: about 15 minutes a session, the
# machine's start included): the GPU test suites, then the GEMM benchmark against cuBLAS, then the ROME benchmark
# on a GPT-2 XL-shaped model against PyTorch; each step capped (CHECKS_S, GEMM_S, ROME_S seconds) so a hang in one
# leaves the others their time. Results in $OUT: gpu-checks.log, gemm-bench.txt, rome-bench.txt, session.txt.
#   here:   bash tools/gpu/publish.sh && bash tools/gpu/prepare-tree.sh
#   device: command "bash tools/gpu/session.sh", carry [".gpu"], timeout_s 560
#   here:   bash tools/gpu/prepare-tree.sh --restore
set -uo pipefail
cd "$(dirname "$0")/../.."
source tools/gpu/env.sh
step() {
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  timeout "$limit" "$@"
  local rc=$?
  echo "$name: rc $rc in $((SECONDS - start)) s (cap $limit s)" | tee -a "$out/session.txt"
}
: > "$out/session.txt"
step checks "${CHECKS_S:-220}" bash tools/gpu/run-checks.sh
step gemm "${GEMM_S:-120}" bash tools/gpu/bench-gemm.sh
step rome "${ROME_S:-200}" bash tools/gpu/bench-rome.sh
tail -1 "$out/gpu-checks.log" | tee -a "$out/session.txt"
