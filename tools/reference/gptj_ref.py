"""Independent plain-torch GPT-J (Hugging Face GPTJForCausalLM semantics).

Forward pass, per the GPT-J architecture (Wang & Komatsuzaki 2021) as implemented by HF:
    x = wte[ids]                                   no learned positions
    for each block:
        a = ln_1(x)                                one layer norm feeds both branches
        x = x + attn(a) + mlp(a)                   parallel attention and MLP
    logits = lm_head(ln_f(x))                      untied head with a bias

Linear layers store weight as [out, in]: y = x @ W^T (+ b).
Attention: q, k, v = q_proj(a), k_proj(a), v_proj(a) (no biases), heads of size
D = C / n_head. Rotary position embedding on the first rotary_dim channels of every
q and k head, pairs (2i, 2i+1) ("rotate every two"):
    inv_freq[i] = 1 / 10000^(2i / rotary_dim),  i = 0 .. rotary_dim/2 - 1
    theta[t, i] = t * inv_freq[i],              t = position 0..T-1
    y[2i]   = x[2i] cos(theta) - x[2i+1] sin(theta)
    y[2i+1] = x[2i+1] cos(theta) + x[2i] sin(theta)
channels rotary_dim .. D-1 pass through. scores = q k^T / sqrt(D), causal positions
replaced by finfo.min, padding keys get (1 - mask) * finfo.min added (as gpt2_ref);
softmax over keys; context @ out_proj (no bias).
MLP: fc_in -> gelu_new -> fc_out (with biases). LayerNorm: biased variance.

Everything runs in the dtype of the parameter tensors (goldens use float64).
"""

import json
import os

import numpy as np
import torch

import safetensors_io
from gpt2_ref import GPT2Config, gelu_new, layer_norm, lm_loss  # noqa: F401  (lm_loss re-exported for callers)


class GPTJConfig(GPT2Config):
    """GPT-2's config fields (n_embd, n_layer, n_head, n_positions, n_inner, vocab_size,
    layer_norm_epsilon, activation_function) plus rotary_dim."""

    def __init__(self, d):
        if d.get("model_type", "gptj") != "gptj":
            raise ValueError(f"model_type {d.get('model_type')} is not gptj")
        super().__init__(d)
        self.rotary_dim = int(d["rotary_dim"])
        self.head_dim = self.n_embd // self.n_head
        if self.rotary_dim % 2 or not 0 < self.rotary_dim <= self.head_dim:
            raise ValueError(f"rotary_dim {self.rotary_dim} must be even and in (0, head_dim={self.head_dim}]")


def param_names(cfg):
    """Checkpoint parameter names (HF GPTJForCausalLM), in a fixed order."""
    names = ["transformer.wte.weight"]
    for i in range(cfg.n_layer):
        p = f"transformer.h.{i}."
        names += [
            p + "ln_1.weight", p + "ln_1.bias",
            p + "attn.q_proj.weight", p + "attn.k_proj.weight",
            p + "attn.v_proj.weight", p + "attn.out_proj.weight",
            p + "mlp.fc_in.weight", p + "mlp.fc_in.bias",
            p + "mlp.fc_out.weight", p + "mlp.fc_out.bias",
        ]
    names += ["transformer.ln_f.weight", "transformer.ln_f.bias", "lm_head.weight", "lm_head.bias"]
    return names


def expected_shapes(cfg):
    C, F, V = cfg.n_embd, cfg.n_inner, cfg.vocab_size
    s = {"transformer.wte.weight": (V, C), "transformer.ln_f.weight": (C,), "transformer.ln_f.bias": (C,),
         "lm_head.weight": (V, C), "lm_head.bias": (V,)}
    for i in range(cfg.n_layer):
        p = f"transformer.h.{i}."
        s.update({
            p + "ln_1.weight": (C,), p + "ln_1.bias": (C,),
            p + "attn.q_proj.weight": (C, C), p + "attn.k_proj.weight": (C, C),
            p + "attn.v_proj.weight": (C, C), p + "attn.out_proj.weight": (C, C),
            p + "mlp.fc_in.weight": (F, C), p + "mlp.fc_in.bias": (F,),
            p + "mlp.fc_out.weight": (C, F), p + "mlp.fc_out.bias": (C,),
        })
    return s


class GPTJ:
    def __init__(self, cfg, params):
        self.cfg = cfg
        self.params = params  # checkpoint name -> torch tensor
        self.ckpt_names = {k: k for k in params}  # parameters are named as in the checkpoint

    def to(self, dtype, requires_grad=False):
        ps = {k: v.detach().to(dtype).clone().requires_grad_(requires_grad) for k, v in self.params.items()}
        return GPTJ(self.cfg, ps)


def load(folder, weights="model.safetensors"):
    """config.json + safetensors; the per-layer attn.bias / attn.masked_bias buffers are ignored."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = GPTJConfig(json.load(f))
    tensors, _ = safetensors_io.read(os.path.join(folder, weights))
    params = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in tensors.items()
              if not (k.endswith(".attn.bias") or k.endswith(".attn.masked_bias"))}
    shapes = expected_shapes(cfg)
    missing, extra = sorted(set(shapes) - set(params)), sorted(set(params) - set(shapes))
    if missing or extra:
        raise ValueError(f"parameter mismatch: missing {missing}, unexpected {extra}")
    for k, s in shapes.items():
        if tuple(params[k].shape) != s:
            raise ValueError(f"{k}: shape {tuple(params[k].shape)} != {s}")
    return GPTJ(cfg, params)


def rotary_tables(T, rotary_dim, dtype):
    """sin, cos [T, rotary_dim], each angle repeated for both members of its pair (2i, 2i+1)."""
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, rotary_dim, 2, dtype=torch.float64) / rotary_dim))
    theta = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq[None, :]   # [T, rotary_dim/2]
    sin = torch.repeat_interleave(torch.sin(theta), 2, dim=-1)
    cos = torch.repeat_interleave(torch.cos(theta), 2, dim=-1)
    return sin.to(dtype), cos.to(dtype)


def rotate_every_two(x):
    """(x0, x1, x2, x3, ...) -> (-x1, x0, -x3, x2, ...)."""
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((-odd, even), dim=-1).flatten(-2)


def apply_rotary(x, rotary_dim):
    """x [B,H,T,D]: rotates channels [0, rotary_dim) of every head by its position."""
    T = x.shape[2]
    sin, cos = rotary_tables(T, rotary_dim, x.dtype)
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    rot = rot * cos + rotate_every_two(rot) * sin
    return torch.cat([rot, rest], dim=-1)


def attention(m, i, a, attention_mask):
    P, cfg = m.params, m.cfg
    B, T, C = a.shape
    H, D = cfg.n_head, cfg.head_dim
    p = f"transformer.h.{i}.attn."

    def heads(t):
        return t.reshape(B, T, H, D).permute(0, 2, 1, 3)  # [B,H,T,D]

    q = apply_rotary(heads(a @ P[p + "q_proj.weight"].t()), cfg.rotary_dim)
    k = apply_rotary(heads(a @ P[p + "k_proj.weight"].t()), cfg.rotary_dim)
    v = heads(a @ P[p + "v_proj.weight"].t())
    scores = (q @ k.transpose(-1, -2)) / (D ** 0.5)
    neg = torch.finfo(scores.dtype).min
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    scores = torch.where(causal, scores, torch.full_like(scores, neg))
    if attention_mask is not None:
        am = attention_mask.to(scores.dtype)[:, None, None, :]
        scores = scores + (1.0 - am) * neg
    probs = torch.softmax(scores, dim=-1)
    ctx = (probs @ v).permute(0, 2, 1, 3).reshape(B, T, C)
    return ctx @ P[p + "out_proj.weight"].t()


def forward(m, input_ids, attention_mask=None, hook_layer=None, inject=None):
    """As gpt2_ref.forward: returns (logits [B,T,V], hooks) with hooks at block hook_layer
    (mlp_in = fc_out input, mlp_out = fc_out output incl. bias, block_out) and inject =
    (layer, delta [C], add_mask [B,T]) adding delta to that block's MLP output."""
    P, cfg = m.params, m.cfg
    B, T = input_ids.shape
    if T > cfg.n_positions:
        raise ValueError("sequence longer than n_positions")
    x = P["transformer.wte.weight"][input_ids]
    hooks = {}
    eps = cfg.layer_norm_epsilon
    for i in range(cfg.n_layer):
        p = f"transformer.h.{i}."
        a = layer_norm(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps)
        attn = attention(m, i, a, attention_mask)
        key = gelu_new(a @ P[p + "mlp.fc_in.weight"].t() + P[p + "mlp.fc_in.bias"])
        out = key @ P[p + "mlp.fc_out.weight"].t() + P[p + "mlp.fc_out.bias"]
        if i == hook_layer:
            hooks["mlp_in"] = key
            hooks["mlp_out"] = out
        if inject is not None and inject[0] == i:
            _, delta, add_mask = inject
            out = out + add_mask.to(out.dtype)[:, :, None] * delta[None, None, :]
        x = x + attn + out
        if i == hook_layer:
            hooks["block_out"] = x
    x = layer_norm(x, P["transformer.ln_f.weight"], P["transformer.ln_f.bias"], eps)
    logits = x @ P["lm_head.weight"].t() + P["lm_head.bias"]
    return logits, hooks
