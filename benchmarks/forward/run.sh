#!/usr/bin/env bash
# GPT-2 124M forward tokens/s, RawEdit against PyTorch (Debian python3-torch, OpenBLAS, 2 threads), one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
exec "${PYTHON:-/usr/bin/python3}" benchmarks/forward/side_by_side.py \
  --ours "dotnet benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll forward-server" "$@"
