"""Independent plain-torch GPT-2 (Hugging Face GPT2LMHeadModel semantics).

Forward pass, per the published GPT-2 architecture as implemented by HF:
    x = wte[ids] + wpe[pos]                      pos = 0..T-1 for every row
    for each block:
        x = x + attn(ln_1(x))
        x = x + mlp(ln_2(x))
    logits = ln_f(x) @ wte^T                     (tied LM head)

Conv1D layers store weight as [in, out]: y = x @ W + b.
Attention: qkv = c_attn(h); split into q, k, v of width C; heads of size
D = C / n_head; scores = q k^T / sqrt(D); causal positions replaced by
finfo(dtype).min, padding keys get (1 - mask) * finfo(dtype).min added (both as
HF does); softmax over keys; context @ c_proj.
MLP: c_fc -> gelu_new -> c_proj, gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
LayerNorm: biased variance, eps = config.layer_norm_epsilon. Dropout is off.

Everything runs in the dtype of the parameter tensors (callers use float64
to produce goldens, float32 for comparisons).
"""

import json
import math
import os

import numpy as np
import torch

import safetensors_io

PREFIX = "transformer."


class GPT2Config:
    def __init__(self, d):
        self.raw = d
        self.n_embd = int(d["n_embd"])
        self.n_layer = int(d["n_layer"])
        self.n_head = int(d["n_head"])
        self.n_positions = int(d["n_positions"])
        self.vocab_size = int(d["vocab_size"])
        self.layer_norm_epsilon = float(d.get("layer_norm_epsilon", 1e-5))
        n_inner = d.get("n_inner")
        self.n_inner = int(n_inner) if n_inner is not None else 4 * self.n_embd
        act = d.get("activation_function", "gelu_new")
        if act != "gelu_new":
            raise ValueError(f"unsupported activation_function {act}")
        if d.get("scale_attn_by_inverse_layer_idx", False) or d.get("reorder_and_upcast_attn", False):
            raise ValueError("scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn not supported")
        if not d.get("scale_attn_weights", True):
            raise ValueError("scale_attn_weights=false not supported")


def param_names(cfg):
    """Canonical (unprefixed) parameter names, in a fixed order."""
    names = ["wte.weight", "wpe.weight"]
    for i in range(cfg.n_layer):
        p = f"h.{i}."
        names += [
            p + "ln_1.weight", p + "ln_1.bias",
            p + "attn.c_attn.weight", p + "attn.c_attn.bias",
            p + "attn.c_proj.weight", p + "attn.c_proj.bias",
            p + "ln_2.weight", p + "ln_2.bias",
            p + "mlp.c_fc.weight", p + "mlp.c_fc.bias",
            p + "mlp.c_proj.weight", p + "mlp.c_proj.bias",
        ]
    names += ["ln_f.weight", "ln_f.bias"]
    return names


def expected_shapes(cfg):
    C, F, V, P = cfg.n_embd, cfg.n_inner, cfg.vocab_size, cfg.n_positions
    s = {"wte.weight": (V, C), "wpe.weight": (P, C), "ln_f.weight": (C,), "ln_f.bias": (C,)}
    for i in range(cfg.n_layer):
        p = f"h.{i}."
        s.update({
            p + "ln_1.weight": (C,), p + "ln_1.bias": (C,),
            p + "attn.c_attn.weight": (C, 3 * C), p + "attn.c_attn.bias": (3 * C,),
            p + "attn.c_proj.weight": (C, C), p + "attn.c_proj.bias": (C,),
            p + "ln_2.weight": (C,), p + "ln_2.bias": (C,),
            p + "mlp.c_fc.weight": (C, F), p + "mlp.c_fc.bias": (F,),
            p + "mlp.c_proj.weight": (F, C), p + "mlp.c_proj.bias": (C,),
        })
    return s


class GPT2:
    """Parameters (canonical names) + the checkpoint key each came from."""

    def __init__(self, cfg, params, ckpt_names):
        self.cfg = cfg
        self.params = params          # canonical name -> torch tensor
        self.ckpt_names = ckpt_names  # canonical name -> key in the checkpoint file

    def to(self, dtype, requires_grad=False, device=None):
        ps = {k: v.detach().to(device=device, dtype=dtype).clone().requires_grad_(requires_grad) for k, v in self.params.items()}
        return GPT2(self.cfg, ps, dict(self.ckpt_names))


def load(folder, weights="model.safetensors"):
    """Load config.json + safetensors. Accepts both layouts:
    - `transformer.`-prefixed keys (as saved by GPT2LMHeadModel.save_pretrained), and
    - unprefixed hub keys, possibly with h.N.attn.bias / h.N.attn.masked_bias buffers,
      which are ignored. An lm_head.weight, if present, must equal wte (tied)."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = GPT2Config(json.load(f))
    tensors, _ = safetensors_io.read(os.path.join(folder, weights))
    buffers = set()
    for i in range(cfg.n_layer):
        for b in ("attn.bias", "attn.masked_bias"):
            buffers.add(f"h.{i}.{b}")
            buffers.add(PREFIX + f"h.{i}.{b}")
    params, ckpt = {}, {}
    lm_head = None
    for key, arr in tensors.items():
        if key in buffers:
            continue
        if key == "lm_head.weight":
            lm_head = arr
            continue
        name = key[len(PREFIX):] if key.startswith(PREFIX) else key
        if name in params:
            raise ValueError(f"duplicate parameter {name} ({ckpt[name]} and {key})")
        params[name] = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
        ckpt[name] = key
    shapes = expected_shapes(cfg)
    missing = sorted(set(shapes) - set(params))
    extra = sorted(set(params) - set(shapes))
    if missing or extra:
        raise ValueError(f"parameter mismatch: missing {missing}, unexpected {extra}")
    for k, s in shapes.items():
        if tuple(params[k].shape) != s:
            raise ValueError(f"{k}: shape {tuple(params[k].shape)} != {s}")
    if lm_head is not None and not np.array_equal(lm_head, params["wte.weight"].numpy()):
        raise ValueError("lm_head.weight is not tied to wte.weight")
    return GPT2(cfg, params, ckpt)


def layer_norm(x, w, b, eps):
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def attention(m, i, h, attention_mask):
    P, cfg = m.params, m.cfg
    B, T, C = h.shape
    H = cfg.n_head
    D = C // H
    p = f"h.{i}.attn."
    qkv = h @ P[p + "c_attn.weight"] + P[p + "c_attn.bias"]
    q, k, v = qkv.split(C, dim=-1)

    def heads(t):
        return t.reshape(B, T, H, D).permute(0, 2, 1, 3)  # [B,H,T,D]

    q, k, v = heads(q), heads(k), heads(v)
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(D)     # [B,H,Tq,Tk]
    neg = torch.finfo(scores.dtype).min
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    scores = torch.where(causal, scores, torch.full_like(scores, neg))
    if attention_mask is not None:
        am = attention_mask.to(scores.dtype)[:, None, None, :]  # [B,1,1,Tk]
        scores = scores + (1.0 - am) * neg
    probs = torch.softmax(scores, dim=-1)
    ctx = (probs @ v).permute(0, 2, 1, 3).reshape(B, T, C)
    return ctx @ P[p + "c_proj.weight"] + P[p + "c_proj.bias"]


def forward(m, input_ids, attention_mask=None, hook_layer=None, inject=None, block_outs=()):
    """input_ids: LongTensor [B,T]; attention_mask: [B,T] of 0/1 (None = all valid).
    hook_layer: record hooks at that block.
    inject: None or (layer, delta [C], add_mask [B,T]) - adds add_mask[b,t] * delta to the
            MLP output (after c_proj bias) of block `layer`, before the residual add;
            or (layer, delta, add_mask, "block_out") - adds it to block `layer`'s output
            (the residual stream after both adds; MEMIT's point).
    block_outs: layers whose output (after any injection) is returned as hooks["block_out.{i}"].
    Returns (logits [B,T,V], hooks dict)."""
    P, cfg = m.params, m.cfg
    B, T = input_ids.shape
    if T > cfg.n_positions:
        raise ValueError("sequence longer than n_positions")
    pos = torch.arange(T)
    x = P["wte.weight"][input_ids] + P["wpe.weight"][pos][None, :, :]
    hooks = {}
    eps = cfg.layer_norm_epsilon
    for i in range(cfg.n_layer):
        p = f"h.{i}."
        x = x + attention(m, i, layer_norm(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps), attention_mask)
        h2 = layer_norm(x, P[p + "ln_2.weight"], P[p + "ln_2.bias"], eps)
        key = gelu_new(h2 @ P[p + "mlp.c_fc.weight"] + P[p + "mlp.c_fc.bias"])
        out = key @ P[p + "mlp.c_proj.weight"] + P[p + "mlp.c_proj.bias"]
        if i == hook_layer:
            hooks["mlp_in"] = key
            hooks["mlp_out"] = out
        point = (inject[3] if len(inject) > 3 else "mlp_out") if inject is not None and inject[0] == i else None
        if point not in (None, "mlp_out", "block_out"):
            raise ValueError(f"unknown injection point {point}")
        if point == "mlp_out":
            out = out + inject[2].to(out.dtype)[:, :, None] * inject[1][None, None, :]
        x = x + out
        if point == "block_out":
            x = x + inject[2].to(x.dtype)[:, :, None] * inject[1][None, None, :]
        if i == hook_layer:
            hooks["block_out"] = x
        if i in block_outs:
            hooks[f"block_out.{i}"] = x
    return unembed(m, x), hooks


def unembed(m, x):
    """ln_f then the tied head: [.., C] -> logits [.., V]."""
    P = m.params
    return layer_norm(x, P["ln_f.weight"], P["ln_f.bias"], m.cfg.layer_norm_epsilon) @ P["wte.weight"].t()


def lm_loss(logits, input_ids, attention_mask):
    """Mean next-token cross-entropy over (b,t) with t and t+1 both valid,
    label = input_ids[b, t+1]. Returns (loss, count)."""
    logp = torch.log_softmax(logits[:, :-1, :], dim=-1)
    labels = input_ids[:, 1:]
    valid = (attention_mask[:, :-1] * attention_mask[:, 1:]).bool()
    nll = -logp.gather(-1, labels[:, :, None])[:, :, 0]
    count = int(valid.sum())
    if count == 0:
        raise ValueError("no (t, t+1) valid pairs")
    return nll[valid].sum() / count, count
