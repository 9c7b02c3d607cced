#!/usr/bin/env bash
# GPT-2 124M training step (forward, loss, backward, clipping, AdamW), RawEdit against PyTorch (Debian python3-torch,
# OpenBLAS, 2 threads), one run. Extra arguments go to side_by_side.py (e.g. --rounds 5 --shapes 4x64,8x64).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
exec "${PYTHON:-/usr/bin/python3}" benchmarks/train/side_by_side.py \
  --ours "dotnet benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll train-server" "$@"
