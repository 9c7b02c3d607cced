"""Independent plain-torch reference for MEMIT on gpt2_ref.

Written from the algorithm description in ../shared/docs/editing-methods.md section 3;
no upstream code. Edited matrices: h.l.mlp.c_proj for every l in `layers` (Conv1D,
W stored [in = F, out = C]); key k = c_proj input, as in ROME.

Pipeline for n requests (each a rome_ref.Prepared whose templates are grouped, see GROUPS):

  z_i        for request i, delta optimised at the OUTPUT OF BLOCK L_last = layers[-1]
             (the residual stream) at the subject-last token of every prompt (ZLoss below,
             same loop as ROME: rome_ref.optimise_v); z_i = h_init + delta, h_init = that block
             output at row 0 (unprefixed rewriting prompt) before any edit.
  for i, l in enumerate(layers)  (increasing), on the model with layers[:i] already updated:
    K        [F, n]  column j = keys of request j at l, averaged within each template group,
                     then across groups (for [["{}"], [5 prefixed]]: k = k_0/2 + mean(k_1..k_5)/2)
    cur_z    [C, n]  block L_last output at the subject-last token of the unprefixed key prompt
    R_i      (Z - cur_z) / (L - i)                     L = len(layers)
    Delta_l  R_i [(lambda C_l + K K^T)^-1 K]^T         [C, F] (out x in); float64 solve,
             lambda = mom2_update_weight, C_l = E[k k^T] at l (identity when none is given)
    W_l      <- W_l(original) + Delta_l^T              (Conv1D orientation [F, C])
  Weights of the caller's model are never modified; the edited copy is original + Delta
  per layer (= upstream's "restore, then apply the deltas").
"""

import torch

import gpt2_ref
import rome_ref

def groups_of(n_templates):
    """[[0], [1..n-1]]: template 0 ("{}") alone, all prefixed templates in one group."""
    return [[0]] if n_templates == 1 else [[0], list(range(1, n_templates))]


class ZLoss(rome_ref.VLoss):
    """MEMIT's z objective (compute_z) for one prepared request: ROME's loss (rome_ref.VLoss) with
    delta added to block `z_layer`'s output (residual stream) at the subject-last token of every
    prompt (rewriting prompts and the KL prompt). NLL from ln_f + unembedding of block
    `loss_layer`'s output; KL on the model's logits at the KL prompt's subject-last position;
    wd = ||delta|| / ||h_init||^2, v_init (= h_init) = block z_layer output at row 0's
    subject-last token on the first call (delta = 0)."""

    def __init__(self, model, z_layer, loss_layer, prep, hp, pad_id):
        super().__init__(model, z_layer, prep, hp, pad_id)
        self.loss_layer = loss_layer

    def run(self, delta):
        logits, hooks = gpt2_ref.forward(self.model, self.ids, self.mask,
                                         inject=(self.layer, delta, self.add, "block_out"),
                                         block_outs=(self.layer, self.loss_layer))
        return logits, gpt2_ref.unembed(self.model, hooks[f"block_out.{self.loss_layer}"]), hooks[f"block_out.{self.layer}"]


def compute_z(model, z_layer, prep, hp, pad_id):
    """rome_ref.optimise_v with the z objective; returns its result plus z = h_init + delta."""
    f = ZLoss(model, z_layer, hp["v_loss_layer"], prep, hp, pad_id)
    res = rome_ref.optimise_v(model, z_layer, prep, hp, pad_id, objective=f)
    res["z"] = res["v_init"] + res["delta"]
    return res


def grouped_keys(model, layer, preps, pad_id):
    """[n, F]: per request, c_proj input keys at `layer` over its key prompts, averaged within
    each template group, then across groups."""
    out = []
    for prep in preps:
        K, _ = rome_ref.keys_values(model, layer, prep.key_prompts, pad_id)
        out.append(torch.stack([K[g].mean(0) for g in groups_of(len(prep.key_prompts))]).mean(0))
    return torch.stack(out)


def subject_block_out(model, layer, prompts, pad_id):
    """[n, C]: block `layer` output at each prompt's subject-last token."""
    ids, mask = rome_ref.batch(prompts, pad_id)
    with torch.no_grad():
        _, hooks = gpt2_ref.forward(model, ids, mask, hook_layer=layer)
    return hooks["block_out"][torch.arange(len(prompts)), torch.tensor([p.subject_last for p in prompts])].clone()


def weight_name(layer):
    return f"h.{layer}.mlp.c_proj.weight"


def memit_update(hp, C):
    """MEMIT's per-layer update: Delta = R_i [(lambda C + K K^T)^-1 K]^T [C, F], float64."""
    lam = hp["mom2_update_weight"]

    def update(i, layer, K, Ri):
        F = K.shape[0]
        Cl = torch.eye(F, dtype=torch.float64) if C is None else C[layer].to(torch.float64)
        A = lam * Cl + K.double() @ K.double().t()                 # [F, F]
        adj = torch.linalg.solve(A, K.double())                    # [F, n]
        return Ri.double() @ adj.t()                               # [C, F] out x in
    return update


def memit_edit(model, layers, preps, hp, C=None, pad_id=None, zres=None, update=None):
    """MEMIT over `layers` (increasing) for the prepared requests. C: {layer: [F, F]} second
    moments, or None for the identity. zres: compute_z's results for the requests when already
    computed (each request's z depends only on the unedited model and that request, so they can be
    computed in separate runs). update(i, layer, K [F, n], R_i [C, n]) -> Delta [C, F]: the per-layer
    solve, MEMIT's by default (EMMET and AlphaEdit pass theirs, emmet_ref / alphaedit_ref).
    Returns z results, per layer K, cur_z, R, delta_w ([F, C], Conv1D orientation) and |Delta|,
    and the edited working copy ("model")."""
    layers = list(layers)
    if layers != sorted(set(layers)):
        raise ValueError("layers must be increasing and distinct")
    z_layer = layers[-1]
    if zres is None:
        zres = [compute_z(model, z_layer, p, hp, pad_id) for p in preps]
    if len(zres) != len(preps):
        raise ValueError(f"{len(zres)} z results for {len(preps)} requests")
    Z = torch.stack([r["z"] for r in zres])                       # [n, C]
    work = model.to(model.params["wte.weight"].dtype)
    update = update or memit_update(hp, C)
    per_layer = {}
    for i, layer in enumerate(layers):
        K = grouped_keys(work, layer, preps, pad_id).t()           # [F, n]
        cur = subject_block_out(work, z_layer, [p.key_prompts[0] for p in preps], pad_id)  # [n, C]
        R = (Z - cur).t()                                          # [C, n]
        Ri = R / (len(layers) - i)
        upd = update(i, layer, K, Ri)                              # [C, F] out x in
        dW = upd.t().contiguous().double()                         # [F, C] Conv1D
        name = weight_name(layer)
        W0 = model.params[name]
        work.params[name] = W0 + dW.to(W0.dtype)
        per_layer[layer] = {"keys": K.t().clone(), "cur_z": cur, "residual": R.t().clone(),
                            "delta_w": dW, "delta_w_rel": torch.linalg.norm(dW) / W0.numel()}
    return {"z": zres, "targets": Z, "layers": per_layer, "model": work}


def edited(model, deltas):
    """A copy of model with h.l.mlp.c_proj.weight += deltas[l] for every layer l."""
    m = model.to(model.params["wte.weight"].dtype)
    for layer, dW in deltas.items():
        name = weight_name(layer)
        m.params[name] = m.params[name] + dW.to(m.params[name].dtype)
    return m
