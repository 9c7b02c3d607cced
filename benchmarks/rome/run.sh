#!/usr/bin/env bash
# One ROME edit (21 templates, 20 iterations), RawEdit against the PyTorch reference (Debian python3-torch,
# OpenBLAS, 2 threads), on the default model and a GPT-2 124M-shaped random model, in one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
exec "${PYTHON:-/usr/bin/python3}" benchmarks/rome/side_by_side.py \
  --ours "dotnet benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll rome-server" "$@"
