# Sourced by the tools/gpu scripts on the GPU machine (repo root): unpacks .gpu/checks.tar.xz into .gpu/run/publish
# when it is new (the device keeps ignored outputs between calls), links the repository's weights/ beside the
# binaries, points RawEdit at the machine's NVRTC (the CUDA toolkit's, or the copy in PyTorch's pip wheels) and at a
# PTX cache that survives between calls. Sets $out (where results go: the device tool's $OUT) and $checks (the binary).
out=${OUT:-/tmp}
run=.gpu/run                    # inside the repository: the tests find it (and its goldens) from their binary's folder
stamp=$(stat -c %s-%Y .gpu/checks.tar.xz)
if [ "$(cat "$run/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$run/publish" && mkdir -p "$run"
  tar -C "$run" -xJf .gpu/checks.tar.xz
  [ -d weights ] && ln -s ../../../weights "$run/publish/weights"
  echo "$stamp" > "$run/stamp"
fi
if [ -z "${RAWEDIT_NVRTC:-}" ] && ! ldconfig -p | grep -q 'libnvrtc\.so'; then
  found=$(find / -xdev \( -name 'libnvrtc.so.1[0-9]*' -o -name 'libnvrtc.so' \) -not -name '*builtins*' 2>/dev/null | sort | tail -1)
  [ -n "$found" ] && export RAWEDIT_NVRTC="$found" && export LD_LIBRARY_PATH="$(dirname "$found"):${LD_LIBRARY_PATH:-}"
fi
export RAWEDIT_CUDA_CACHE="$PWD/$run/ptx-cache" DOTNET_CLI_TELEMETRY_OPTOUT=1
checks="$run/publish/RawEdit.GpuChecks"
