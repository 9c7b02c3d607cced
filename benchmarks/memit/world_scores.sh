#!/usr/bin/env bash
# ES / PS / NS of MEMIT batches on the default model's own world: for each N, the first N edit cases of
# weights/tiny-world/counterfact.json edited in ONE batch (rawedit edit --method memit, TinyWorld hparams,
# shipped statistics), then `rawedit eval --limit N` on the edited model, which scores exactly those N cases
# (--limit takes the first N records). The unedited model's scores on the same cases come first.
# Usage: benchmarks/memit/world_scores.sh [N ...]   (default 1 10 100 1000); extra edit options via EDIT_ARGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
rawedit=src/RawEdit.Cli/bin/Release/net10.0/rawedit
cases=weights/tiny-world/counterfact.json
work=$(mktemp -d -t rawedit-memit-world-XXXXXX)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 100 1000)
scores() { "$rawedit" eval --model "$1" --data "$cases" --limit "$2" --json | tail -n 1; }
echo "| edits | model | ES | PS | NS | S | seconds (edit) |"
echo "|---:|---|---:|---:|---:|---:|---:|"
row() { "${PYTHON:-python3}" -c 'import json,sys; s=json.loads(sys.argv[3]); print("| %s | %s | %.1f | %.1f | %.1f | %.1f | %s |" % (sys.argv[1], sys.argv[2], s["ES"], s["PS"], s["NS"], s["S"], sys.argv[4]))' "$@"; }
for n in "${sizes[@]}"; do
  "${PYTHON:-python3}" -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))[:int(sys.argv[2])], open(sys.argv[3], "w"))' "$cases" "$n" "$work/requests-$n.json"
  row "$n" unedited "$(scores tiny-world "$n")" ""
  start=$SECONDS
  "$rawedit" edit --model tiny-world --method memit --requests "$work/requests-$n.json" --out "$work/edited-$n" \
    --report "$work/report-$n.json" ${EDIT_ARGS:-} > "$work/edit-$n.log" 2>&1
  row "$n" "MEMIT" "$(scores "$work/edited-$n" "$n")" "$((SECONDS - start))"
  rm -rf "$work/edited-$n"
done
echo "reports and logs: $work"
