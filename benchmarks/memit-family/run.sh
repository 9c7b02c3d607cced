#!/usr/bin/env bash
# MEMIT, EMMET and AlphaEdit, one batch of 100 edits each on the default model (the first 100 cases of
# weights/tiny-world/counterfact.json, each method's TinyWorld preset, the shipped statistics, context templates
# generated with seed 0): one run per method, whole `rawedit edit` process (load, templates, statistics, the edit,
# saving the model). Prints wall time and peak RSS per method and the ratios to MEMIT, then the machine.
# AlphaEdit's null-space projectors are computed once beforehand (a 1-request run; they are cached beside the
# statistics, as a user's second run finds them), so its time is the edit's; the first-run cost is printed too.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${EDITS:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
rawedit=src/RawEdit.Cli/bin/Release/net10.0/rawedit
"${PYTHON:-/usr/bin/python3}" -c "import json,sys; json.dump(json.load(open('weights/tiny-world/counterfact.json'))[:$n], open(sys.argv[1], 'w'))" "$work/requests.json"
"${PYTHON:-/usr/bin/python3}" -c "import json,sys; json.dump(json.load(open('weights/tiny-world/counterfact.json'))[:1], open(sys.argv[1], 'w'))" "$work/one.json"

measure() {   # method requests out -> "seconds peak_kib"
  /usr/bin/time -f "%e %M" -o "$work/time" "$rawedit" edit --model tiny-world --method "$1" --requests "$2" --out "$3" > "$3.log" 2>&1
  cat "$work/time"
}
rm -f weights/tiny-world/stats/*/nullspace-*.safetensors
read -r first_s first_kib < <(measure alphaedit "$work/one.json" "$work/warm")
declare -A seconds kib
for method in memit emmet alphaedit; do
  read -r s k < <(measure "$method" "$work/requests.json" "$work/$method")
  seconds[$method]=$s; kib[$method]=$k
done
printf '%-10s %10s %14s %12s %12s\n' method seconds "peak RSS MiB" "time/memit" "RSS/memit"
for method in memit emmet alphaedit; do
  awk -v m="$method" -v s="${seconds[$method]}" -v k="${kib[$method]}" -v s0="${seconds[memit]}" -v k0="${kib[memit]}" \
    'BEGIN { printf "%-10s %10.1f %14.0f %12.2f %12.2f\n", m, s, k / 1024, s / s0, k / k0 }'
done
echo "alphaedit with 1 request, projectors computed on the way (first use): $first_s s, peak RSS $((first_kib / 1024)) MiB"
echo "edits per batch: $n; DOTNET_PROCESSOR_COUNT=${DOTNET_PROCESSOR_COUNT:-all}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
"${PYTHON:-/usr/bin/python3}" benchmarks/machine_info.py 2>/dev/null || grep -m1 'model name' /proc/cpuinfo
