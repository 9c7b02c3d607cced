#!/usr/bin/env bash
# GPT-2 124M forward tokens/s, RawEdit against PyTorch (Debian python3-torch, OpenBLAS, 2 threads), one run.
exec "$(dirname "$0")/../side_by_side.sh" forward forward-server "$@"
