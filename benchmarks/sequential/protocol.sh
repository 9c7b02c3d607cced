# The sequential-editing protocol every script here shares; sourced after `cd` to the repository root, with `edits`
# (and optionally `every`, default 100) set. Builds rawedit and defines:
#   rawedit  the built executable
#   common   the run arguments: the default model, its cases in file order, evaluation every `every` edits with the
#            GLUE tasks, the guard flagging, seed 0
dotnet build src/RawEdit.Cli -c Release -v quiet -nologo >/dev/null
rawedit=src/RawEdit.Cli/bin/Release/net10.0/rawedit
common=(--model tiny-world --data weights/tiny-world/counterfact.json --edits "$edits" --eval-every "${every:-100}"
        --glue ../shared/data/glue --guard flag --seed 0)
