#!/usr/bin/env bash
# The sequential-editing experiment on the default model: 1,000 single edits in file order with rome, r-rome and
# mend (the shipped editor), same cases and seed, evaluation every 100 edits, the guard flagging, then one report
# with all three runs. Each run is resumable (rerun with --resume added if it was stopped). About 1.6 h per ROME run
# on one core and 20 min for MEND. Runs go to DIR (default ../runs); the report to DIR/rome-r-rome-mend-1000.html.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-../runs}; edits=${EDITS:-1000}
source benchmarks/sequential/protocol.sh
# The two ROME runs side by side, one core each; MEND after them.
DOTNET_PROCESSOR_COUNT=1 "$rawedit" sequential --method rome --out "$dir/seq$edits-rome" "${common[@]}" > "$dir/seq$edits-rome.log" 2>&1 &
DOTNET_PROCESSOR_COUNT=1 "$rawedit" sequential --method r-rome --out "$dir/seq$edits-r-rome" "${common[@]}" > "$dir/seq$edits-r-rome.log" 2>&1 &
wait
"$rawedit" sequential --method mend --editor "weights/$model/mend" --out "$dir/seq$edits-mend" "${common[@]}" > "$dir/seq$edits-mend.log" 2>&1
"$rawedit" report "$dir/seq$edits-rome" "$dir/seq$edits-r-rome" "$dir/seq$edits-mend" --out "$dir/rome-r-rome-mend-$edits.html"
