# The sequential-editing protocol every script here shares; sourced after `cd` to the repository root, with `edits`
# (and optionally `every`, default 100) set; MODEL picks the shipped model (default tiny-world, or small-world). Builds
# rawedit and defines:
#   rawedit  the built executable
#   model    the shipped model's name (its cases, statistics and MEND editor are under weights/$model)
#   common   the run arguments: the model, its cases in file order, evaluation every `every` edits with the
#            GLUE tasks, the guard flagging, seed 0
#   one_thread_run OUT METHOD [ARG...]
#            one `rawedit sequential` run on one thread (the replay of a resume is bit-exact only with the same
#            count), timed by /usr/bin/time -v, appending to OUT.log
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
rawedit=src/RawEdit.Cli/bin/Release/net10.0/rawedit
model=${MODEL:-tiny-world}
common=(--model "$model" --data "weights/$model/counterfact.json" --edits "$edits" --eval-every "${every:-100}"
        --glue ../shared/data/glue --guard flag --seed 0)
one_thread_run() {
  local out=$1 method=$2; shift 2
  DOTNET_PROCESSOR_COUNT=1 /usr/bin/time -v "$rawedit" sequential --method "$method" "$@" --out "$out" "${common[@]}" >> "$out.log" 2>&1
}
