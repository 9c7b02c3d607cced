"""MEND (Mitchell et al. 2022) in plain torch on gpt2_ref, written from
../shared/docs/editing-methods.md section 4 (no upstream code).

Edited matrices: GPT-2 Conv1D weights W [in, out] (`h.L.mlp.c_fc.weight`, `h.L.mlp.c_proj.weight`).
  u  = the matrix's input activation per token row           [N, in]
  d  = d NLL(edit_inner) / d (matrix output incl. bias)       [N, out]
  rows where u or d is all zero are dropped.
Normalisation (training mode): Welford running mean / M2 over every kept row, updated just before use;
  std = sqrt(M2 / (k - 1)); u~ = (u - mean_u) / (std_u + 1e-7), d~ likewise (statistics are constants).
Editor network (one per weight shape (in, out), shared by the matrices of that shape, mode m = the
  matrix's index among them): x = [u~; d~] [N, in+out], then n_hidden + 1 layers
      x <- x + clamp_min0(s_m * (x V^T U^T + b) + t_m)
  U [D, r] = 0 at init, V [r, D] ~ N(0, 1), b = 0, s_m = 1, t_m = 0 (identity at init).
  clamp(min=0) as torch's clamp: its gradient is 1 where the input is >= 0 (so the zero-initialised
  network still trains; a ReLU's zero gradient at 0 would not).
Edit: dW = sum_i u'_i d'_i^T (Conv1D orientation [in, out]);  W' = W + alpha_l * dW,
  alpha_l learned per matrix, init edit_lr.
Training loss on the edited model: cedit * NLL(edit_outer) + cloc * KL(p_pre || p_post) over every
  valid token of the locality batch (summed over the vocabulary, mean over tokens).
NLL = mean over all target tokens of the batch of -log p(target | prefix).
Optimiser: Adam(lr) on the editor parameters, Adam(lr_lr) on alpha; gradients divided by accumulate_bs
  and summed over accumulate_bs examples; global-norm clip (grad_clip, all of them together) then both
  steps.
"""

import math

import torch

import gpt2_ref


def clamp_min0(x):
    return torch.clamp(x, min=0.0)


class EditorNet:
    """The editor for one weight shape: per layer U, V, b and per-mode scale / shift; running stats."""

    def __init__(self, d_in, d_out, n_modes, rank, n_hidden, generator, dtype):
        self.d_in, self.d_out = d_in, d_out
        D = d_in + d_out
        r = min(rank, D)
        self.layers = []
        for _ in range(n_hidden + 1):
            v = torch.randn(r, D, generator=generator, dtype=torch.float64).to(torch.float32).to(dtype)
            self.layers.append({
                "u": torch.zeros(D, r, dtype=dtype),
                "v": v,
                "bias": torch.zeros(D, dtype=dtype),
                "mode_scale": torch.ones(n_modes, D, dtype=dtype),
                "mode_shift": torch.zeros(n_modes, D, dtype=dtype),
            })
        self.k = 0
        self.u_mean = torch.zeros(d_in, dtype=torch.float64)
        self.v_mean = torch.zeros(d_out, dtype=torch.float64)
        self.u_s = torch.zeros(d_in, dtype=torch.float64)
        self.v_s = torch.zeros(d_out, dtype=torch.float64)

    def parameters(self):
        return [(f"layers.{i}.{name}", layer[name]) for i, layer in enumerate(self.layers)
                for name in ("u", "v", "bias", "mode_scale", "mode_shift")]

    def update_stats(self, u, d):
        for i in range(u.shape[0]):
            x_u, x_d = u[i].detach().double(), d[i].detach().double()
            if self.k == 0:
                self.k = 1
                self.u_mean, self.v_mean = x_u.clone(), x_d.clone()
                self.u_s.zero_()
                self.v_s.zero_()
            else:
                self.k += 1
                for mean, s, x in ((self.u_mean, self.u_s, x_u), (self.v_mean, self.v_s, x_d)):
                    new_mean = mean + (x - mean) / self.k
                    s += (x - mean) * (x - new_mean)
                    mean.copy_(new_mean)

    def normalise(self, u, d):
        if self.k < 2:
            raise RuntimeError("MEND normalisation needs at least two rows")
        u_std = (self.u_s / (self.k - 1)).sqrt()
        v_std = (self.v_s / (self.k - 1)).sqrt()
        dt = u.dtype
        return ((u - self.u_mean.to(dt)) / (u_std.to(dt) + 1e-7),
                (d - self.v_mean.to(dt)) / (v_std.to(dt) + 1e-7))

    def forward(self, u_n, d_n, mode):
        x = torch.cat([u_n, d_n], dim=-1)
        for layer in self.layers:
            pre = (x @ layer["v"].t()) @ layer["u"].t() + layer["bias"]
            x = x + clamp_min0(layer["mode_scale"][mode] * pre + layer["mode_shift"][mode])
        return x[:, :self.d_in], x[:, self.d_in:]


def shape_of(model, name):
    return tuple(model.params[name].shape)


class Mend:
    """Editor networks for the listed matrices (canonical gpt2_ref names, e.g. h.3.mlp.c_fc.weight)."""

    def __init__(self, model, inner_params, rank, n_hidden, edit_lr, seed, dtype=torch.float64):
        self.inner_params = list(inner_params)
        self.shapes = []
        for name in self.inner_params:
            if shape_of(model, name) not in self.shapes:
                self.shapes.append(shape_of(model, name))
        g = torch.Generator().manual_seed(seed)
        self.nets = {}
        for s in self.shapes:
            modes = [n for n in self.inner_params if shape_of(model, n) == s]
            self.nets[s] = EditorNet(s[0], s[1], len(modes), rank, n_hidden, g, dtype)
        self.edit_lrs = torch.full((len(self.inner_params),), edit_lr, dtype=dtype)

    def mode(self, model, name):
        s = shape_of(model, name)
        return [n for n in self.inner_params if shape_of(model, n) == s].index(name)

    def net_parameters(self):
        return [(f"{s[0]}x{s[1]}.{n}", p) for s in self.shapes for n, p in self.nets[s].parameters()]

    def all_parameters(self):
        return self.net_parameters() + [("edit_lrs", self.edit_lrs)]


def forward_capture(model, ids, mask, inner_params, overrides=None):
    """Forward with the inputs and outputs of the listed matrices recorded."""
    P = dict(model.params)
    if overrides:
        P.update(overrides)
    m = gpt2_ref.GPT2(model.cfg, P, model.ckpt_names)
    cfg, eps = m.cfg, m.cfg.layer_norm_epsilon
    B, T = ids.shape
    x = P["wte.weight"][ids] + P["wpe.weight"][torch.arange(T)][None]
    io = {}
    for i in range(cfg.n_layer):
        p = f"h.{i}."
        x = x + gpt2_ref.attention(m, i, gpt2_ref.layer_norm(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps), mask)
        h2 = gpt2_ref.layer_norm(x, P[p + "ln_2.weight"], P[p + "ln_2.bias"], eps)
        hid = h2 @ P[p + "mlp.c_fc.weight"] + P[p + "mlp.c_fc.bias"]
        key = gpt2_ref.gelu_new(hid)
        out = key @ P[p + "mlp.c_proj.weight"] + P[p + "mlp.c_proj.bias"]
        io[p + "mlp.c_fc.weight"] = (h2, hid)
        io[p + "mlp.c_proj.weight"] = (key, out)
        x = x + out
    x = gpt2_ref.layer_norm(x, P["ln_f.weight"], P["ln_f.bias"], eps)
    logits = x @ P["wte.weight"].t()
    return logits, {n: io[n] for n in inner_params}


def pad(seqs, pad_id):
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), pad_id, dtype=torch.long)
    mask = torch.zeros(len(seqs), T)
    for b, s in enumerate(seqs):
        ids[b, :len(s)] = torch.tensor(s)
        mask[b, :len(s)] = 1
    return ids, mask


def target_nll(logits, seqs, target_starts):
    """Mean over all target tokens of -log p: token t >= start of sequence b is predicted at t - 1."""
    logp = torch.log_softmax(logits, dim=-1)
    terms = [-logp[b, t - 1, s[t]] for b, (s, start) in enumerate(zip(seqs, target_starts)) for t in range(start, len(s))]
    return torch.stack(terms).sum() / len(terms)


def kl_locality(pre_logits, post_logits, mask):
    """KL(p_pre || p_post) summed over the vocabulary, mean over valid tokens."""
    lp_pre = torch.log_softmax(pre_logits, -1)
    lp_post = torch.log_softmax(post_logits, -1)
    kl = (lp_pre.exp() * (lp_pre - lp_post)).sum(-1)
    return (kl * mask).sum() / mask.sum()


def gradient_factors(model, mend, inner, pad_id):
    """u and d per matrix for the edit_inner batch, zero rows dropped (detached)."""
    seqs, starts = inner
    ids, mask = pad(seqs, pad_id)
    # The matrices require grad here only so that their outputs join the graph; their gradients are unused.
    leaves = {n: model.params[n].detach().clone().requires_grad_(True) for n in mend.inner_params}
    logits, io = forward_capture(model, ids, mask, mend.inner_params, leaves)
    nll = target_nll(logits, seqs, starts)
    outs = [io[n][1] for n in mend.inner_params]
    grads = torch.autograd.grad(nll, outs)
    factors = {}
    for n, g in zip(mend.inner_params, grads):
        u = io[n][0].detach().reshape(-1, io[n][0].shape[-1])
        d = g.detach().reshape(-1, g.shape[-1])
        keep = (u != 0).any(-1) & (d != 0).any(-1)
        factors[n] = (u[keep], d[keep])
    return factors, float(nll)


def delta_weights(model, mend, factors, training):
    """dW [in, out] per matrix (before alpha) and the editor outputs. Matrices are transformed in
    inner_params order; in training mode each one's rows enter its network's statistics just before
    they are normalised (so a later matrix of the same shape sees the earlier one's rows too)."""
    out = {}
    for n in mend.inner_params:
        net = mend.nets[shape_of(model, n)]
        if training:
            net.update_stats(*factors[n])
        u_n, d_n = net.normalise(*factors[n])
        u2, d2 = net.forward(u_n, d_n, mend.mode(model, n))
        out[n] = (u2.t() @ d2, u2, d2, u_n, d_n)
    return out


def edited_overrides(model, mend, deltas):
    return {n: model.params[n] + mend.edit_lrs[i] * deltas[n][0] for i, n in enumerate(mend.inner_params)}


def training_loss(model, mend, example, hp, pad_id):
    """One example's loss on the edited model; editor parameters must require grad."""
    factors, nll_inner = gradient_factors(model, mend, example["inner"], pad_id)
    deltas = delta_weights(model, mend, factors, training=True)
    over = edited_overrides(model, mend, deltas)
    oseqs, ostarts = example["outer"]
    oids, omask = pad(oseqs, pad_id)
    post_outer, _ = forward_capture(model, oids, omask, [], over)
    l_edit = target_nll(post_outer, oseqs, ostarts)
    lids, lmask = pad(example["loc"], pad_id)
    with torch.no_grad():
        pre_loc, _ = forward_capture(model, lids, lmask, [])
    post_loc, _ = forward_capture(model, lids, lmask, [], over)
    l_loc = kl_locality(pre_loc, post_loc, lmask)
    total = hp["cedit"] * l_edit + hp["cloc"] * l_loc
    return total, {"nll_inner": nll_inner, "l_edit": float(l_edit), "l_loc": float(l_loc), "total": float(total)}


class Adam:
    """torch.optim.Adam update, written out: betas (0.9, 0.999), eps 1e-8."""

    def __init__(self, params, lr):
        self.params, self.lr, self.t = params, lr, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        with torch.no_grad():
            for p, g, m, v in zip(self.params, grads, self.m, self.v):
                m.mul_(b1).add_((1 - b1) * g)
                v.mul_(b2).add_((1 - b2) * g * g)
                denom = v.sqrt() / math.sqrt(1 - b2 ** self.t) + eps
                p.sub_(self.lr / (1 - b1 ** self.t) * m / denom)


def train_step(model, mend, examples, hp, opt, lr_opt, pad_id):
    """Accumulate len(examples) examples (gradients / accumulate_bs), clip, step as upstream. Returns logs and raw grads."""
    params = [p for _, p in mend.all_parameters()]
    for p in params:
        p.requires_grad_(True)
    acc = [torch.zeros_like(p) for p in params]
    logs = []
    for ex in examples:
        loss, info = training_loss(model, mend, ex, hp, pad_id)
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        for a, g in zip(acc, grads):
            if g is not None:
                a += g.detach() / hp["accumulate_bs"]
        logs.append(info)
    for p in params:
        p.requires_grad_(False)
    raw = [a.clone() for a in acc]
    norm = math.sqrt(sum(float((a * a).sum()) for a in acc))
    coef = hp["grad_clip"] / (norm + 1e-6)
    if coef < 1:
        acc = [a * coef for a in acc]
    # Upstream (trainer.py): opt = Adam(lr) over outer_parameters() = the networks and edit_lrs (the last entry);
    # opt.step(), opt.zero_grad(), then lr_opt.step() over edit_lrs, whose gradient opt.zero_grad() has just cleared.
    opt.step(acc)
    lr_opt.step([torch.zeros_like(acc[-1])])
    return logs, raw, norm, coef < 1
