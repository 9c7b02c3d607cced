#!/usr/bin/env bash
# The sequential-editing experiment for the batch methods with one request per edit: memit, emmet (a batch of 1: ROME's
# equality on MEMIT's layers) and alphaedit (its preserved keys K_pK_pᵀ grow with every edit), on the default model with
# their TinyWorld presets and the shipped statistics, the same cases, seed, templates, evaluation and guard as run.sh.
# One run at a time. EDITS (default 1000) and EVAL_EVERY (default 100) set the length; each run is resumable (rerun
# with --resume added). Runs go to DIR (default ../runs); the report to DIR/memit-emmet-alphaedit-EDITS.html.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-../runs}; edits=${EDITS:-1000}; every=${EVAL_EVERY:-100}
mkdir -p "$dir"
source benchmarks/sequential/protocol.sh
for method in memit emmet alphaedit; do
  /usr/bin/time -v "$rawedit" sequential --method "$method" --out "$dir/seq$edits-$method" "${common[@]}" > "$dir/seq$edits-$method.log" 2>&1
done
"$rawedit" report "$dir/seq$edits-memit" "$dir/seq$edits-emmet" "$dir/seq$edits-alphaedit" --out "$dir/memit-emmet-alphaedit-$edits.html"
