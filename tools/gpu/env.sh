# Sourced by the tools/gpu scripts on the GPU machine (repo root): unpacks .gpu/checks.tar.xz into .gpu/run/publish
# when it is new (the device keeps ignored outputs between calls) and links the repository's weights/ beside the
# binaries. ILGPU needs only the driver (libcuda.so.1); the GEMM benchmark's cuBLAS (libcublas.so.12, 11 or 10, which
# ILGPU.Algorithms loads by name) is the CUDA toolkit's, or the copy in PyTorch's pip wheels (nvidia/cublas/lib), put on
# LD_LIBRARY_PATH. Sets $out (where results go: the device tool's $OUT) and $checks (the binary).
out=${OUT:-/tmp}
run=.gpu/run                    # inside the repository: the tests find it (and its goldens) from their binary's folder
stamp=$(stat -c %s-%Y .gpu/checks.tar.xz)
if [ "$(cat "$run/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$run/publish" && mkdir -p "$run"
  tar -C "$run" -xJf .gpu/checks.tar.xz
  [ -d weights ] && ln -s ../../../weights "$run/publish/weights"
  echo "$stamp" > "$run/stamp"
fi
if ! ldconfig -p | grep -q 'libcublas\.so\.1[0-2] '; then
  found=$(find / -xdev -name 'libcublas.so.1[0-2]' 2>/dev/null | sort | tail -1)
  [ -n "$found" ] && export LD_LIBRARY_PATH="$(dirname "$found"):${LD_LIBRARY_PATH:-}"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1
checks="$run/publish/RawEdit.GpuChecks"
