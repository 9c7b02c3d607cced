#!/usr/bin/env bash
# ROME's layer sweep (Meng et al. 2022, Fig. 5 "causal effect vs editing success"): the method with the model's preset,
# its layer replaced by each given layer (and v_loss_layer kept), scored by measure-preset.sh on the first N cases
# (default 20). EXTRA adds keys to every layer's hparams, e.g. EXTRA='"v_num_grad_steps": 40'. The statistics of each
# layer must be in weights/MODEL/stats (rawedit stats --model MODEL --layer L --corpus MODEL --samples 20000 --out …).
#   benchmarks/sequential/layer-sweep.sh MODEL METHOD LAYER [LAYER…]
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$1; method=$2; shift 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for layer in "$@"; do
  echo "{\"layers\": [$layer]${EXTRA:+, $EXTRA}}" > "$tmp/layer$layer.json"
  echo "layer $layer: $(benchmarks/sequential/measure-preset.sh "$model" "$method" "$tmp/layer$layer.json" "${N:-20}" | tr -s ' ' | tr '\n' ' ')"
done
