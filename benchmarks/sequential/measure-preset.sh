#!/usr/bin/env bash
# ES / PS / NS of a method on a shipped model's first N cases (default 10) edited in one call: the ROME modes apply them
# in order, MEMIT / EMMET / AlphaEdit as one batch, MEND one by one with the shipped editor. This is how the presets'
# comments (RomeHyperParameters.TinyWorld, …) were measured. HPARAMS, when given, goes over the model's preset.
#   benchmarks/sequential/measure-preset.sh MODEL METHOD [HPARAMS.json] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$1; method=$2; hparams=${3:-}; n=${4:-10}
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
rawedit=src/RawEdit.Cli/bin/Release/net10.0/rawedit
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -c "import json, sys; json.dump(json.load(open(sys.argv[1]))[:int(sys.argv[2])], open(sys.argv[3], 'w'))" \
    "weights/$model/counterfact.json" "$n" "$tmp/cases.json"
extra=(); [ "$method" = mend ] && extra=(--editor "weights/$model/mend")
[ -n "$hparams" ] && extra+=(--hparams "$hparams")
"$rawedit" edit --model "$model" --method "$method" "${extra[@]}" --requests "$tmp/cases.json" --out "$tmp/edited" > "$tmp/edit.log" ||
    { cat "$tmp/edit.log"; exit 1; }
"$rawedit" eval --model "$tmp/edited" --data "$tmp/cases.json" | grep -E "^ +(ES|PS|NS|S) "
