# The sequential-editing protocol every script here shares; sourced after `cd` to the repository root, with `edits`
# (and optionally `every`, default 100) set; MODEL picks the shipped model (default tiny-world, or small-world). Builds
# rawedit and defines:
#   rawedit  the built executable
#   model    the shipped model's name (its cases, statistics and MEND editor are under weights/$model)
#   common   the run arguments: the model, its cases in file order, evaluation every `every` edits with the
#            GLUE tasks, the guard flagging, seed 0
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
rawedit=src/RawEdit.Cli/bin/Release/net10.0/rawedit
model=${MODEL:-tiny-world}
common=(--model "$model" --data "weights/$model/counterfact.json" --edits "$edits" --eval-every "${every:-100}"
        --glue ../shared/data/glue --guard flag --seed 0)
