#!/usr/bin/env bash
# The ROME-mode diagnosis on a shipped model (MODEL, default tiny-world; or small-world): the protocol of run.sh (same cases in file order, seed 0, GLUE and
# re-scoring every 100 edits, the guard flagging) with EDITS (default 300) edits, one run at a time:
#   rome, r-rome, and r-rome with its numerator's current value taken at the unprefixed prompt
#   (hparams residual_value "prompt": r = (v* − v_s)/(u·k̄) = δ/(u·k̄) instead of (v* − v̄)/(u·k̄)),
# then one report whose diagnosis section shows each run's denominators, numerators and |Δ|. Runs go to DIR (default
# ../runs); the report to DIR/rome-diagnosis-EDITS.html. About 15 min per run of 300 edits on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-../runs}; edits=${EDITS:-300}
source benchmarks/sequential/protocol.sh
mkdir -p "$dir"
# The model's ROME preset plus the diagnosis switch (a partial hparams file goes over the model's defaults).
echo '{"residual_value": "prompt"}' > "$dir/r-rome-prompt-value.json"
"$rawedit" sequential --method r-rome --out "$dir/$model-seq$edits-r-rome" "${common[@]}" > "$dir/$model-seq$edits-r-rome.log" 2>&1
"$rawedit" sequential --method r-rome --hparams "$dir/r-rome-prompt-value.json" --out "$dir/$model-seq$edits-r-rome-prompt-value" "${common[@]}" \
    > "$dir/$model-seq$edits-r-rome-prompt-value.log" 2>&1
"$rawedit" sequential --method rome --out "$dir/$model-seq$edits-rome" "${common[@]}" > "$dir/$model-seq$edits-rome.log" 2>&1
"$rawedit" report "$dir/$model-seq$edits-rome" "$dir/$model-seq$edits-r-rome" "$dir/$model-seq$edits-r-rome-prompt-value" --out "$dir/$model-rome-diagnosis-$edits.html"
