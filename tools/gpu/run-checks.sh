#!/usr/bin/env bash
# On the GPU machine (device tool, repo root, carry [".gpu"]): unpack the self-contained checks, point RawEdit at the
# NVRTC that the machine has (CUDA toolkit, or the copy in PyTorch's pip wheels), print the device, run the tests
# whose names start with the given prefixes (default: the CUDA suites) and keep the log in $OUT.
set -uo pipefail
out=${OUT:-/tmp}
work=.gpu/run                   # inside the repository: the tests find it (and its goldens) from their binary's folder
rm -rf "$work" && mkdir -p "$work"
tar -C "$work" -xJf .gpu/checks.tar.xz
[ -d weights ] && ln -s ../../../weights "$work/publish/weights"
if [ -z "${RAWEDIT_NVRTC:-}" ] && ! ldconfig -p | grep -q 'libnvrtc\.so'; then
  found=$(find / -xdev \( -name 'libnvrtc.so.1[0-9]*' -o -name 'libnvrtc.so' \) -not -name '*builtins*' 2>/dev/null | sort | tail -1)
  [ -n "$found" ] && export RAWEDIT_NVRTC="$found" && export LD_LIBRARY_PATH="$(dirname "$found"):${LD_LIBRARY_PATH:-}"
fi
echo "nvrtc: ${RAWEDIT_NVRTC:-found by the dynamic loader}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
export RAWEDIT_CUDA_CACHE="$PWD/$work/ptx-cache" DOTNET_CLI_TELEMETRY_OPTOUT=1
"$work/publish/RawEdit.GpuChecks" "$@" 2>&1 | tee "$out/gpu-checks.log"
exit "${PIPESTATUS[0]}"
