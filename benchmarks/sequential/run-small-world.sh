#!/usr/bin/env bash
# The 1,000-edit sequential experiment on the second shipped model (weights/small-world): rome, r-rome, p-rome, memit,
# mend (the editor in weights/small-world/mend), emmet and alphaedit (one request per edit), each with its small-world
# preset and the shipped statistics, under run.sh's protocol (same cases in file order, seed 0, GLUE and re-scoring
# every 100 edits, the guard flagging). Two workers of one core each take the methods in that order (METHODS to choose
# others); then one report with all seven. RESUME=1 resumes stopped runs, skips finished ones and starts the rest.
# Runs go to DIR (default ../runs); the report to DIR/small-world-EDITS.html.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-../runs}; edits=${EDITS:-1000}
export MODEL=small-world
source benchmarks/sequential/protocol.sh
mkdir -p "$dir"
run() {
  local method=$1 out="$dir/sw$edits-$1" extra=()
  [ "$method" = mend ] && extra=(--editor "weights/$model/mend")
  if [ -n "${RESUME:-}" ] && [ -f "$out/run.json" ]; then
    # A finished run's journal ends with the evaluation after its last edit.
    if tail -n 1 "$out/journal.jsonl" | grep -q "\"kind\":\"evaluation\",\"after_edits\":$edits,"; then
      echo "$method: finished, skipped"; return
    fi
    extra+=(--resume)
  fi
  one_thread_run "$out" "$method" ${extra[@]+"${extra[@]}"}
}
# xargs's workers are new shells: they get the functions and variables exported, the array as its declaration.
export -f run one_thread_run; export dir edits rawedit model RESUME common_declaration="$(declare -p common)"
# The MEND editor is not shipped (52 MB in float32): trained here when absent (2,001 examples, 3.5 min on 2 idle threads;
# held-out 746 cases ES 92.9 / PS 90.0 / NS 93.4 when measured in session 11).
[ -f "weights/$model/mend/editor.safetensors" ] ||
  "$rawedit" mend-train --model "$model" --data "weights/$model/counterfact.json" --out "weights/$model/mend" > "$dir/sw-mend-train.log" 2>&1
# Issue 20's five first (rome, r-rome, p-rome, memit, mend), then EMMET and AlphaEdit.
printf '%s\n' ${METHODS:-rome r-rome p-rome memit mend emmet alphaedit} |
  xargs -P 2 -I{} bash -c 'eval "$common_declaration"; run "$1"' worker {}
# The causal trace that chose the ROME layer (weights/small-world/README.md) goes into the report when present.
trace=(); [ -f "$dir/small-world-trace.json" ] && trace=(--trace "$dir/small-world-trace.json")
"$rawedit" report "$dir"/sw"$edits"-{rome,r-rome,p-rome,memit,emmet,alphaedit,mend} ${trace[@]+"${trace[@]}"} --out "$dir/small-world-$edits.html"
