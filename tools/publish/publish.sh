#!/usr/bin/env bash
# One self-contained rawedit binary per runtime: dotnet publish single-file, the .NET runtime and the default model
# inside (no .NET, no weights/ folder needed beside it). Usage: tools/publish/publish.sh [--compress] [RID ...]
# (default RID linux-x64; the SDK here also targets linux-arm64, linux-musl-x64, win-x64, osx-x64, osx-arm64).
# Writes dist/RID/rawedit (rawedit.exe on Windows) and prints each binary's size.
# Untrimmed on purpose: ILGPU finds the framework methods it maps to GPU intrinsics by reflection, so trimming breaks
# the GPU backend (README, "Install").
set -euo pipefail
cd "$(dirname "$0")/../.."
compress=false
rids=()
for arg in "$@"; do
  case "$arg" in
    --compress) compress=true ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) rids+=("$arg") ;;
  esac
done
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64)
for rid in "${rids[@]}"; do
  rm -rf "dist/$rid"
  dotnet publish src/RawEdit.Cli -c Release -r "$rid" --self-contained -p:PublishSingleFile=true \
    -p:EnableCompressionInSingleFile="$compress" -p:DebugType=embedded -p:GenerateDocumentationFile=false \
    -o "dist/$rid" -v quiet -nologo >/dev/null
  for f in "dist/$rid"/rawedit*; do echo "$f: $(( $(stat -c %s "$f") / 1024 / 1024 )) MiB"; done
done
