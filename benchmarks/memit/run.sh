#!/usr/bin/env bash
# MEMIT, 100 and 1,000 edits in one batch on the default model: RawEdit against the PyTorch reference
# (Debian python3-torch, 2 threads), alternating sides, medians, ratio, peak RSS. Long: the 1,000-edit
# batch takes minutes per run on each side. Extra arguments go to side_by_side.py (e.g. --sizes 100 --rounds 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
exec "${PYTHON:-/usr/bin/python3}" benchmarks/memit/side_by_side.py \
  --rawedit src/RawEdit.Cli/bin/Release/net10.0/rawedit \
  --prompts-tool "dotnet benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll" \
  --python "${PYTHON:-/usr/bin/python3}" "$@"
