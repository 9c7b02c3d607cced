"""Which optimiser moves MEND's edit steps (edit_lrs) in upstream's training loop?

Upstream (eric-mitchell/mend trainer.py) builds opt = Adam(outer_parameters(), lr) where outer_parameters() is the
editor networks' parameters plus edit_lrs (algs/mend.py), and lr_opt = Adam([edit_lrs], lr_lr). After accumulating
gradients it calls clip_grad_norm_, opt.step(), opt.zero_grad(), lr_opt.step(), lr_opt.zero_grad(), in that order.
This script replays that order with torch.optim.Adam on a toy loss, with zero_grad clearing to zeros (torch < 2.0,
upstream's era) and to None (torch >= 2.0), and prints how far edit_lrs moved compared with opt alone. Written for
RawEdit's issue 24; it imports nothing from upstream.

    /usr/bin/python3 tools/reference/check_mend_lr_opt.py
"""

import torch


def run(steps, lr, lr_lr, set_to_none, with_lr_opt):
    torch.manual_seed(0)
    network = torch.nn.Linear(4, 1)
    edit_lrs = torch.nn.Parameter(torch.full((3,), 1e-4))
    opt = torch.optim.Adam(list(network.parameters()) + [edit_lrs], lr=lr)
    lr_opt = torch.optim.Adam([edit_lrs], lr=lr_lr)
    x = torch.randn(8, 4)
    for _ in range(steps):
        loss = (network(x).squeeze(-1)[:3] * edit_lrs).pow(2).sum() + edit_lrs.sum()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=set_to_none)
        if with_lr_opt:
            lr_opt.step()
            lr_opt.zero_grad(set_to_none=set_to_none)
    return edit_lrs.detach().clone()


def main():
    print("torch", torch.__version__)
    for set_to_none in (False, True):
        both = run(5, 1e-4, 1e-3, set_to_none, with_lr_opt=True)
        outer_only = run(5, 1e-4, 1e-3, set_to_none, with_lr_opt=False)
        print(f"zero_grad(set_to_none={set_to_none}): edit_lrs after 5 steps {both.tolist()}; "
              f"identical to the outer Adam(lr) alone: {torch.equal(both, outer_only)}")


if __name__ == "__main__":
    main()
