#!/usr/bin/env bash
# Makes the working tree fit the device tool's 64 MiB together with .gpu/checks.tar.xz (tools/gpu/publish.sh first):
# stops tracking, in the index only (nothing is committed), the default model's weights and the golden sets the GPU
# run cannot use or has no room for, ignores them for the run (info/exclude), and prints what will travel.
#   bash tools/gpu/prepare-tree.sh            before the device run
#   bash tools/gpu/prepare-tree.sh --restore  after it (git reset; the exclude lines removed)
# Kept golden sets, in order until the budget is spent: the ones whose models travel with them (not hf-tiny-gpt2 /
# rome-hf-tiny-gpt2, whose model is in ../shared, nor rome-default, whose model is weights/tiny-world).
# The tests of every set left behind are skipped on the device: their patterns go to .gpu/excludes (run-checks.sh).
# In a git worktree the index is the worktree's own but info/exclude is the repository's, shared by every worktree
# until --restore.
set -euo pipefail
cd "$(dirname "$0")/../.."
goldens=tests/RawEdit.Tests/Goldens
exclude=$(git rev-parse --git-path info/exclude)
record=$(git rev-parse --git-path rawedit-prepare-tree)   # the lines this script added to $exclude
if [ "${1:-}" = "--restore" ]; then
  git reset -q
  if [ -f "$record" ]; then { grep -vxF -f "$record" "$exclude" || true; } > "$exclude.tmp"; mv "$exclude.tmp" "$exclude"; fi
  rm -f "$record" .gpu/excludes
  echo "restored: every file tracked again"
  exit 0
fi
[ -f .gpu/checks.tar.xz ] || { echo "no .gpu/checks.tar.xz: run tools/gpu/publish.sh first" >&2; exit 1; }
[ -f "$record" ] && { echo "already prepared ($record): --restore first" >&2; exit 1; }
budget=$((63 * 1024 * 1024))   # 1 MiB below the limit for the tool's own overhead
untrack() { git rm -r -q --cached "$1" && echo "/$1/" | tee -a "$record" >> "$exclude"; }
keep() { git add -f "$1"
         { grep -vxF "/$1/" "$record" || true; } > "$record.tmp"; mv "$record.tmp" "$record"
         { grep -vxF "/$1/" "$exclude" || true; } > "$exclude.tmp"; mv "$exclude.tmp" "$exclude"; }
untrack weights/tiny-world
for set in $(git ls-files "$goldens" | cut -d/ -f4 | sort -u); do untrack "$goldens/$set"; done
# Bytes that travel: tracked files, untracked files git does not ignore, and the carried .gpu/checks.tar.xz.
travelling() { { git ls-files -z; git ls-files -z --others --exclude-standard; } | du -cb --files0-from=- | tail -1 | cut -f1; }
used=$(( $(travelling) + $(stat -c %s .gpu/checks.tar.xz) ))
excludes='!hf-tiny-gpt2 !rome-default'
# Each set and the test names that read it (gpt2-random is also the model of rome-, memit- and mend-random).
declare -A tests=([gpt2-random]='("gpt2-random")' [rome-random]='RomeGoldenTests("cuda").rome-random'
  [memit-random]='MemitGoldenTests' [mend-random]='MendGoldenTests' [gptj-random-fullrot]='("gptj-random-fullrot")'
  [gptj-random]='("gptj-random")')
for set in gpt2-random rome-random memit-random mend-random gptj-random-fullrot gptj-random; do
  size=$(du -sb "$goldens/$set" | cut -f1)
  if [ $((used + size)) -le $budget ]; then
    keep "$goldens/$set"
    used=$((used + size))
    echo "kept    $set ($((size / 1024)) KiB)"
  else
    echo "left    $set ($((size / 1024)) KiB): no room"
    excludes="$excludes !${tests[$set]}"
  fi
done
[ "$used" -le "$budget" ] || { echo "still $((used / 1048576)) MiB: too large" >&2; exit 1; }
echo "travelling: $((used / 1048576)) MiB of 64 (with carry [\".gpu\"])"
echo "$excludes" > .gpu/excludes   # travels with the carry; run-checks.sh adds them to its patterns
echo "test exclusions for the run (.gpu/excludes): $excludes"
