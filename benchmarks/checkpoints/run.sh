#!/usr/bin/env bash
# Real-size checkpoints on CPU: random bf16 sharded checkpoints shaped like GPT-2 XL and GPT-J 6B, then for each a
# cold read of its files (page cache dropped), and cold runs of RawEdit: load, forward tokens/s, one ROME edit,
# peak memory. GPT-2 XL runs twice (auto = widened to fp32 at load; stored = bf16 mapped); GPT-J 6B runs with auto,
# which keeps its matrices stored since fp32 (24 GB) would not fit. Dropping the page cache needs root; without it
# the reads are warm and the script says so.
#   benchmarks/checkpoints/run.sh [DIR (default /tmp/rawedit-big)] [TOKENS (64)] [ROME_STEPS (5)] [SHAPES (gpt2-xl gptj-6b)]
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-/tmp/rawedit-big}; tokens=${2:-64}; steps=${3:-5}; shapes=${4:-gpt2-xl gptj-6b}
dotnet build benchmarks/RawEdit.Benchmarks -c Release -v quiet -nologo >/dev/null
bench="dotnet benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll"

drop() {
  sync
  if echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then cold=cold; else cold=warm; echo "(cannot drop the page cache: reads are warm)"; fi
}

for shape in $shapes; do
  folder="$dir/$shape"
  $bench random-checkpoint "$shape" "$folder"
  drop
  start=$(date +%s.%N); cat "$folder"/*.safetensors > /dev/null; end=$(date +%s.%N)
  bytes=$(cat "$folder"/*.safetensors | wc -c)
  echo "{\"shape\":\"$shape\",\"read\":\"$cold\",\"bytes\":$bytes,\"read_s\":$(echo "$end - $start" | bc -l)}"
  precisions="auto"; [ "$shape" = gpt2-xl ] && precisions="auto stored"
  for precision in $precisions; do
    drop
    RAWEDIT_WEIGHT_PRECISION=$precision $bench checkpoint-measure "$folder" "$tokens" "$steps"
  done
done
