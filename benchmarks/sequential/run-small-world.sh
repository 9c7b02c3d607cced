#!/usr/bin/env bash
# The 1,000-edit sequential experiment on the second shipped model (weights/small-world): rome, r-rome, p-rome, memit,
# emmet, alphaedit (one request per edit) and mend (the shipped editor weights/small-world/mend), each with its
# small-world preset and the shipped statistics, under run.sh's protocol (same cases in file order, seed 0, GLUE and
# re-scoring every 100 edits, the guard flagging). Two runs at a time, one core each; then one report with all seven.
# RESUME=1 resumes stopped runs. Runs go to DIR (default ../runs); the report to DIR/small-world-EDITS.html.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-../runs}; edits=${EDITS:-1000}
export MODEL=small-world
source benchmarks/sequential/protocol.sh
mkdir -p "$dir"
run() {
  local method=$1; shift
  DOTNET_PROCESSOR_COUNT=1 /usr/bin/time -v "$rawedit" sequential --method "$method" "$@" ${RESUME:+--resume} \
      --out "$dir/sw$edits-$method" "${common[@]}" >> "$dir/sw$edits-$method.log" 2>&1
}
# The MEND editor is not shipped (52 MB in float32): trained here when absent (2,001 examples, 3.5 min on 2 idle threads;
# held-out 746 cases ES 92.9 / PS 90.0 / NS 93.4 when measured in session 11).
[ -f "weights/$model/mend/editor.safetensors" ] ||
  "$rawedit" mend-train --model "$model" --data "weights/$model/counterfact.json" --out "weights/$model/mend" > "$dir/sw-mend-train.log" 2>&1
# Issue 20's five first (rome, r-rome, p-rome, memit, mend), then EMMET and AlphaEdit.
run rome & run r-rome & wait
run p-rome & run memit & wait
run mend --editor "weights/$model/mend" & run emmet & wait
run alphaedit
# The causal trace that chose the ROME layer (weights/small-world/README.md) goes into the report when present.
trace=(); [ -f "$dir/small-world-trace.json" ] && trace=(--trace "$dir/small-world-trace.json")
"$rawedit" report "$dir"/sw"$edits"-{rome,r-rome,p-rome,memit,emmet,alphaedit,mend} ${trace[@]+"${trace[@]}"} --out "$dir/small-world-$edits.html"
