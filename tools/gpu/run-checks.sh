#!/usr/bin/env bash
# On the GPU machine (device tool, repo root, carry [".gpu"]): print the device, run the tests whose names match the
# patterns (RawEdit.GpuChecks: prefixes, "~" contained, "!" excluded; default the GPU suites: RawEdit.Tests.Tensors.Gpu
# and every per-backend fixture's "cuda" half, less what runs on ILGPU's CPU accelerator; the exclusions
# tools/gpu/prepare-tree.sh wrote to .gpu/excludes are added) and keep the log in $OUT/gpu-checks.log.
set -uo pipefail
source "$(dirname "$0")/env.sh"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
set -f                           # the patterns hold parentheses and quotes, never globs
excludes=$(cat .gpu/excludes 2>/dev/null || true)
"$checks" "$@" $excludes 2>&1 | tee "$out/gpu-checks.log"
exit "${PIPESTATUS[0]}"
