#!/usr/bin/env bash
# Gpt2Tokenizer throughput on WikiText-2 test (tokens/s), optionally alternating with the tokenizer of another revision.
# Usage: benchmarks/tokenizer/run.sh [--against REV] [--rounds N] [--text FILE]
#   --against REV  also build REV's tokenizer (in a temporary clone) and alternate its runs with this tree's, round
#                  by round, so that background load on the shared machine hits both alike. Both run this tree's
#                  measuring code (benchmarks/RawEdit.Benchmarks/Tokenizer/), copied into the clone; REV must have
#                  the `tokenizer` mode in Program.cs (0607e0b or later).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
against="" rounds=5 text="$root/../shared/data/wikitext/wiki.test.raw"
while [ $# -gt 0 ]; do
  case "$1" in
    --against) against="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --text) text="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

build() {  # $1: a source tree; prints the benchmark dll's path
  dotnet build "$1/benchmarks/RawEdit.Benchmarks" -c Release -v quiet -nologo >/dev/null
  echo "$1/benchmarks/RawEdit.Benchmarks/bin/Release/net10.0/RawEdit.Benchmarks.dll"
}

trees=("$root")
labels=("this tree ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', modified'))")
if [ -n "$against" ]; then
  other="$(mktemp -d)"
  trap 'rm -rf "$other"' EXIT
  git clone -q "$root" "$other"
  git -C "$other" checkout -q "$against"
  cp "$root"/benchmarks/RawEdit.Benchmarks/Tokenizer/*.cs "$other/benchmarks/RawEdit.Benchmarks/Tokenizer/"
  trees+=("$other")
  labels+=("$against ($(git -C "$other" rev-parse --short HEAD))")
fi
dlls=()
for tree in "${trees[@]}"; do dlls+=("$(build "$tree")"); done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
log="$(mktemp)"
for ((round = 1; round <= rounds; round++)); do
  for i in "${!dlls[@]}"; do
    dotnet "${dlls[$i]}" tokenizer "$text" "${trees[$i]}/weights/tokenizer/gpt2" | sed -n 's/^  //p' |
      sed "s|^|$i\t|" >>"$log"
  done
done

# Each run prints "<what>  <ms> ms  <rate> M tokens/s"; report the median rate over the rounds.
for i in "${!dlls[@]}"; do
  echo "${labels[$i]}: median of $rounds runs"
  awk -F'\t' -v i="$i" '$1 == i { line = $2; rate = line; sub(/ +M tokens\/s.*/, "", rate); sub(/.* /, "", rate);
      what = line; sub(/  +.*/, "", what); if (!(what in rates)) order[++n] = what; rates[what] = rates[what] " " rate }
    END { for (k = 1; k <= n; k++) print order[k] "\t" rates[order[k]] }' "$log" |
    while IFS=$'\t' read -r what values; do
      median=$(tr ' ' '\n' <<<"$values" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
      printf '  %-26s %6s M tokens/s   (runs: %s)\n' "$what" "$median" "$(echo $values)"
    done
done
rm -f "$log"
