#!/usr/bin/env bash
# Side-by-side fp32 GEMM benchmark: RawEdit CpuGemm vs PyTorch torch.matmul (OpenBLAS), alternating.
# Usage: benchmarks/gemm/run.sh [--rounds N] [--threads T] [--min-sample SECONDS] [--shapes a,b]
exec "$(dirname "$0")/../side_by_side.sh" gemm gemm-server "$@"
