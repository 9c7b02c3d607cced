#!/usr/bin/env python3
"""GPT-2 124M training steps, RawEdit against PyTorch, in one run.

One step = forward, mean next-token cross-entropy over the full 50,257-token vocabulary, backward, global-norm
gradient clipping, AdamW (decay on matrices and embeddings only). Ours is LanguageModelTrainer.TrainStep, the
step `rawedit train` runs (RawEdit.Benchmarks train-server); the peer is the plain-torch GPT-2 of
tools/reference/gpt2_ref.py (Hugging Face semantics, autograd) with torch.nn.functional.cross_entropy,
torch.nn.utils.clip_grad_norm_ and torch.optim.AdamW, as a PyTorch user writes it.

Same model, same batch: the C# side writes GPT-2 small with RawEdit's initialiser (seed 1, f32) to --scratch once,
and both sides load that file; this script draws the B x T token ids and both train on them. Each side's two
warm-up steps are checked against each other: the first-step loss and gradient norm (same weights, same batch)
and the second-step loss (after one clipped AdamW update). Then timed samples alternate (ours, torch, ... with
the first side flipping every round); the table gives median seconds per step, the ratio, and each side's distance
to the floor, 6 x parameters x B x T flop at the machine's fp32 FMA peak (--peak-gflops; measure it with
/work/shared/tools/fma-peak/run.sh on an idle machine). Differences in what each side computes: torch's head
projects all T positions (its logits[:, :-1] feed the loss), ours only the T-1 that have a next token.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
sys.path.insert(0, os.path.dirname(HERE))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import gpt2_ref  # noqa: E402
from machine_info import print_machine, print_ratio  # noqa: E402
from server_client import CSharpServer  # noqa: E402


class TorchTrainer:
    """The peer's training step on the model in `folder` and one fixed batch of token ids [B, T]."""

    def __init__(self, folder, ids, lr, weight_decay, clip):
        self.model = gpt2_ref.load(folder).to(torch.float32, requires_grad=True)
        self.params = list(self.model.params.values())
        self.ids, self.clip = ids, clip
        groups = [{"params": [p for p in self.params if p.dim() >= 2], "weight_decay": weight_decay},
                  {"params": [p for p in self.params if p.dim() < 2], "weight_decay": 0.0}]
        self.optimizer = torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)

    def step(self):
        logits, _ = gpt2_ref.forward(self.model, self.ids)
        vocab = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), self.ids[:, 1:].reshape(-1))
        loss_value = loss.item()
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(self.params, self.clip))
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return loss_value, norm

    def time(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


def write_ids(path, ids):
    with open(path, "w") as f:
        for row in ids.tolist():
            f.write(" ".join(str(i) for i in row) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=1, help="training steps per timed sample")
    ap.add_argument("--shapes", default="4x64", help="comma-separated BxT batches")
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--peak-gflops", type=float, default=225.0,
                    help="fp32 FMA peak of the machine, 2 threads (fma-peak on the idle Zen 4 VM: about 225)")
    ap.add_argument("--scratch", default=os.path.join(tempfile.gettempdir(), "rawedit-bench"))
    ap.add_argument("--ours", required=True, help="command line of the C# train server")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    os.makedirs(args.scratch, exist_ok=True)
    folder = os.path.join(args.scratch, "gpt2-124m-rawedit-init-seed1")

    ours = CSharpServer(args.ours.split(), greeting="ready")
    print_machine(ours.ask("vector-path"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; GPT-2 124M (RawEdit init, seed 1), fp32; "
          f"AdamW lr {args.lr} weight decay {args.weight_decay}, clip {args.clip}; {args.rounds} rounds of {args.steps} step(s)")
    rows = []
    for shape in args.shapes.split(","):
        b, t = (int(x) for x in shape.split("x"))
        ids = torch.randint(0, 50257, (b, t), generator=torch.Generator().manual_seed(7))
        ids_path = os.path.join(args.scratch, f"train-ids-{b}x{t}.txt")
        write_ids(ids_path, ids)
        mine_check = [float(x) for x in ours.ask(f"setup {folder} {ids_path} {args.lr!r} {args.weight_decay!r} {args.clip!r}").split()]
        peer = TorchTrainer(folder, ids, args.lr, args.weight_decay, args.clip)
        theirs_check = [*peer.step(), *peer.step()]
        parameters = sum(p.numel() for p in peer.params)
        mine, theirs = [], []
        for r in range(args.rounds):
            for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                if side == 0:
                    mine.append(float(ours.ask(f"time {args.steps}").split()[0]) / args.steps)
                else:
                    theirs.append(peer.time(args.steps) / args.steps)
        floor = 6.0 * parameters * b * t / (args.peak_gflops * 1e9)
        m, o = statistics.median(mine), statistics.median(theirs)
        rows.append((shape, m, o))
        print(f"  {shape}: ours {' '.join(f'{s:.2f}' for s in mine)} s; torch {' '.join(f'{s:.2f}' for s in theirs)} s", flush=True)
        print()
        print("| B x T | loss₁ ours / torch | ‖g‖₁ ours / torch | loss₂ ours / torch | ours s/step | torch s/step | ours / torch "
              "| floor s | ours / floor | torch / floor |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {shape} | {mine_check[0]:.6f} / {theirs_check[0]:.6f} | {mine_check[1]:.5f} / {theirs_check[1]:.5f} "
              f"| {mine_check[2]:.6f} / {theirs_check[2]:.6f} | {m:.3f} | {o:.3f} | {m / o:.2f} "
              f"| {floor:.3f} | {m / floor:.1f} | {o / floor:.1f} |", flush=True)
        del peer
    ours.close()
    print()
    for shape, m, o in rows:
        print_ratio(f"train-{shape}", m, o)


if __name__ == "__main__":
    main()
