#!/usr/bin/env bash
# The ROME-mode diagnosis on the default model: the protocol of run.sh (same cases in file order, seed 0, GLUE and
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
# RomeHyperParameters.TinyWorld in upstream keys, plus the diagnosis switch.
echo '{"layers": [0], "v_num_grad_steps": 40, "clamp_norm_factor": 10, "v_loss_layer": 3, "mom2_n_samples": 20000, "residual_value": "prompt"}' \
    > "$dir/r-rome-prompt-value.json"
"$rawedit" sequential --method r-rome --out "$dir/seq$edits-r-rome" "${common[@]}" > "$dir/seq$edits-r-rome.log" 2>&1
"$rawedit" sequential --method r-rome --hparams "$dir/r-rome-prompt-value.json" --out "$dir/seq$edits-r-rome-prompt-value" "${common[@]}" \
    > "$dir/seq$edits-r-rome-prompt-value.log" 2>&1
"$rawedit" sequential --method rome --out "$dir/seq$edits-rome" "${common[@]}" > "$dir/seq$edits-rome.log" 2>&1
"$rawedit" report "$dir/seq$edits-rome" "$dir/seq$edits-r-rome" "$dir/seq$edits-r-rome-prompt-value" --out "$dir/rome-diagnosis-$edits.html"
