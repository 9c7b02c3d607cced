"""Causal tracing in plain torch (ROME, Meng et al. 2022, Sec. 2.1; upstream experiments/causal_trace.py), on
the reference GPT-2 (gpt2_ref) and GPT-J (gptj_ref) models of this folder. Written for RawEdit's goldens.

A trace runs a batch of 1 + S copies of one prompt: copy 0 clean, copies 1..S with noise[s] added to the token
embeddings (wte output, before GPT-2's wpe) of the subject tokens [b, e). Restoring a state (site, layer) at token t
sets it, in copies 1..S, to copy 0's value at t. The score is the mean over copies 1..S of softmax(logits at the last
token)[target]. Sites: "attn" (attention output after its projection), "mlp" (MLP output), "block" (block output).
Each restoration is its own forward pass here (no batching across restorations), as upstream does it.
"""

import torch

import gpt2_ref
import gptj_ref
from gpt2_ref import gelu_new, layer_norm

KIND_SITES = {"hidden": "block", "mlp": "mlp", "attn": "attn"}


def run(model, arch, ids, patch):
    """ids LongTensor [B,T]; patch(site, layer, x) -> the tensor the model goes on with. Returns logits [B,T,V]."""
    P, eps = model.params, model.cfg.layer_norm_epsilon
    if arch == "gpt2":
        T = ids.shape[1]
        x = patch("embed", 0, P["wte.weight"][ids]) + P["wpe.weight"][:T][None, :, :]
        for i in range(model.cfg.n_layer):
            p = f"h.{i}."
            x = x + patch("attn", i, gpt2_ref.attention(model, i, layer_norm(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps), None))
            m = layer_norm(x, P[p + "ln_2.weight"], P[p + "ln_2.bias"], eps)
            mlp = gelu_new(m @ P[p + "mlp.c_fc.weight"] + P[p + "mlp.c_fc.bias"]) @ P[p + "mlp.c_proj.weight"] + P[p + "mlp.c_proj.bias"]
            x = patch("block", i, x + patch("mlp", i, mlp))
        return gpt2_ref.unembed(model, x)
    x = patch("embed", 0, P["transformer.wte.weight"][ids])
    for i in range(model.cfg.n_layer):
        p = f"transformer.h.{i}."
        a = layer_norm(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps)
        attn = patch("attn", i, gptj_ref.attention(model, i, a, None))
        mlp = gelu_new(a @ P[p + "mlp.fc_in.weight"].t() + P[p + "mlp.fc_in.bias"]) @ P[p + "mlp.fc_out.weight"].t() + P[p + "mlp.fc_out.bias"]
        x = patch("block", i, x + attn + patch("mlp", i, mlp))
    x = layer_norm(x, P["transformer.ln_f.weight"], P["transformer.ln_f.bias"], eps)
    return x @ P["lm_head.weight"].t() + P["lm_head.bias"]


def score(model, arch, ids, subject, noise, target, restore=(), token=None):
    """(clean p(target), mean corrupted-and-restored p(target)); restore = iterable of (site, layer) set back at token."""
    b, e = subject
    samples = noise.shape[0]
    restore = set(restore)
    batch = torch.tensor([ids] * (1 + samples), dtype=torch.long)

    def patch(site, layer, x):
        if site == "embed":
            x = x.clone()
            x[1:, b:e] = x[1:, b:e] + noise
        elif (site, layer) in restore:
            x = x.clone()
            x[1:, token] = x[0, token]
        return x

    with torch.no_grad():
        probs = torch.softmax(run(model, arch, batch, patch)[:, -1, :], dim=-1)   # [1+S, V]
    return float(probs[0, target]), float(probs[1:, target].mean())


def window_layers(kind, layer, window, layers):
    """The layers restored for (kind, layer): itself for hidden states, else the window clipped to the model."""
    if kind == "hidden":
        return [layer]
    return list(range(max(0, layer - window // 2), min(layers, layer - (-window // 2))))


def trace(model, arch, ids, subject, noise, target, window):
    """{"clean", "corrupted", "hidden"/"mlp"/"attn": [T][L] restored probabilities}."""
    layers = model.cfg.n_layer
    clean, corrupted = score(model, arch, ids, subject, noise, target)
    out = {"clean": clean, "corrupted": corrupted}
    for kind, site in KIND_SITES.items():
        out[kind] = [[score(model, arch, ids, subject, noise, target,
                            [(site, l) for l in window_layers(kind, layer, window, layers)], token)[1]
                      for layer in range(layers)] for token in range(len(ids))]
    return out


def embedding_std(model, arch, subject_ids):
    """Sample std (n - 1) of all entries of wte[ids] over every subject's token ids (upstream collect_embedding_std)."""
    table = model.params["wte.weight" if arch == "gpt2" else "transformer.wte.weight"]
    rows = torch.cat([table[torch.tensor(ids, dtype=torch.long)] for ids in subject_ids])
    return float(rows.std())
