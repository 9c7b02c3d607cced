#!/usr/bin/env bash
# GPT-2 124M training step (forward, loss, backward, clipping, AdamW), RawEdit against PyTorch (Debian python3-torch,
# OpenBLAS, 2 threads), one run. Extra arguments go to side_by_side.py (e.g. --rounds 5 --shapes 4x64,8x64).
exec "$(dirname "$0")/../side_by_side.sh" train train-server "$@"
