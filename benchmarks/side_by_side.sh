#!/usr/bin/env bash
# Shared by the side-by-side benchmarks whose C# side is a RawEdit.Benchmarks line-protocol server:
#   benchmarks/side_by_side.sh <folder> <server-mode> [side_by_side.py arguments...]
# builds RawEdit.Benchmarks in Release and runs <folder>/side_by_side.py with the system Python (Debian's
# python3-torch; override with PYTHON=...) and PyTorch's best setting here (passive OpenMP waiting, 2 BLAS threads).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
folder="$1" mode="$2"; shift 2
cd "$root"
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
exec "${PYTHON:-/usr/bin/python3}" "$root/benchmarks/$folder/side_by_side.py" \
  --ours "dotnet $root/benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll $mode" "$@"
