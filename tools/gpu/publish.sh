#!/usr/bin/env bash
# Packs what a GPU machine without .NET or a network needs to run RawEdit's CUDA checks: a self-contained publish of
# tools/gpu/RawEdit.GpuChecks (the .NET runtime, the test assembly, the CLI and the benchmark servers; not the weights,
# which the repository on the device has), xz-compressed into .gpu/checks.tar.xz (ignored by git; name ".gpu" in the
# device tool's carry). Then tools/gpu/prepare-tree.sh here and tools/gpu/session.sh on the device (tools/gpu/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .gpu/publish && mkdir -p .gpu
dotnet publish tools/gpu/RawEdit.GpuChecks -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -p:ErrorOnDuplicatePublishOutputFiles=false -p:SatelliteResourceLanguages=en -p:EmbedShippedModels=false -p:DebugType=none \
  -o .gpu/publish -v quiet -nologo >/dev/null
rm -rf .gpu/publish/weights    # run-checks.sh links the repository's weights/ in its place
tar -C .gpu -cJf .gpu/checks.tar.xz publish
rm -rf .gpu/publish
size=$(stat -c %s .gpu/checks.tar.xz)
echo "packed .gpu/checks.tar.xz: $((size / 1024 / 1024)) MiB"
[ "$size" -lt $((56 * 1024 * 1024)) ] || { echo "too large to carry with the working tree (64 MiB in all)" >&2; exit 1; }
