#!/usr/bin/env bash
# Every editing method at real size, one process per method (each its own peak RSS), on the random checkpoints that
# benchmarks/checkpoints/run.sh writes (RawEdit.Benchmarks random-checkpoint SHAPE DIR/SHAPE, if missing):
#   memit      upstream layers (GPT-J 3–8, GPT-2 XL 13–17), C = I with the full F×F solve per layer, STEPS z steps
#   r-rome     the ROME layer, C = I, three fixed templates, STEPS value steps
#   mend-edit  upstream's editor (rank 1920, last three blocks' MLPs), untrained, statistics seeded, one edit
#   mend-train the same editor, one training step (accumulate_bs 1)
#   benchmarks/checkpoints/methods.sh [DIR (/tmp/rawedit-big)] [STEPS (3)] [SHAPES (gptj-6b)] [METHODS (memit r-rome mend-edit mend-train)]
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-/tmp/rawedit-big}; steps=${2:-3}; shapes=${3:-gptj-6b}; methods=${4:-memit r-rome mend-edit mend-train}
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
bench="dotnet benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll"
for shape in $shapes; do
  [ -f "$dir/$shape/model.safetensors.index.json" ] || $bench random-checkpoint "$shape" "$dir/$shape"
  for method in $methods; do
    /usr/bin/time -f "{\"method\":\"$method\",\"wall_s\":%e,\"max_rss_kib\":%M}" $bench edit-methods-measure "$dir/$shape" "$method" "$steps"
  done
done
