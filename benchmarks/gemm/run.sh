#!/usr/bin/env bash
# Side-by-side fp32 GEMM benchmark: RawEdit CpuGemm vs PyTorch torch.matmul (OpenBLAS), alternating.
# Usage: benchmarks/gemm/run.sh [--rounds N] [--threads T] [--min-sample SECONDS] [--shapes a,b]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
dll="$root/benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll"

# PyTorch's best setting on this machine (passive OpenMP waiting, 2 BLAS threads).
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
# Debian's python3-torch lives in the system interpreter, not in a pyenv shim.
PY="${PYTHON:-/usr/bin/python3}"
exec "$PY" "$root/benchmarks/gemm/side_by_side.py" --ours "dotnet $dll gemm-server" "$@"
