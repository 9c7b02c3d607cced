#!/usr/bin/env bash
# One ROME edit (21 templates, 20 iterations), RawEdit against the PyTorch reference (Debian python3-torch,
# OpenBLAS, 2 threads), on the default model and a GPT-2 124M-shaped random model, in one run.
exec "$(dirname "$0")/../side_by_side.sh" rome rome-server "$@"
