"""Manual self-checks of the reference (not a CI test; prints a report).

1. gpt2_ref (torch, float64) vs an independent pure-numpy GPT-2 on single prompts.
2. Loss gradients (all parameter kinds) and d loss / d delta vs central finite
   differences in float64 at random coordinates.
3. Batched vs single logits at valid positions (float64 and the stored float32 goldens).
4. Stored goldens == a fresh recomputation; loader accepts both key layouts.

Run: /usr/bin/python3 tools/reference/selfcheck.py
"""

import math
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import make_gpt2_goldens as mg  # noqa: E402
import safetensors_io  # noqa: E402

torch.set_num_threads(1)
MODELS = {
    "gpt2-random": os.path.join(mg.GOLDENS, "gpt2-random"),
    "hf-tiny-gpt2": mg.FIXTURE,
}
failures = []


def check(label, value, limit):
    ok = value <= limit
    print(f"  {'ok  ' if ok else 'FAIL'} {label}: {value:.3e} (limit {limit:.0e})")
    if not ok:
        failures.append(label)


# ---------------------------------------------------------------- numpy GPT-2
def np_gpt2(params, cfg, ids):
    """Straightforward single-sequence GPT-2 in numpy float64, heads in a loop."""
    P = {k: v.numpy().astype(np.float64) for k, v in params.items()}
    T, C, H = len(ids), cfg.n_embd, cfg.n_head
    D = C // H
    eps = cfg.layer_norm_epsilon

    def ln(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = x.var(-1, keepdims=True)
        return g * (x - m) / np.sqrt(v + eps) + b

    x = P["wte.weight"][np.array(ids)] + P["wpe.weight"][:T]
    for i in range(cfg.n_layer):
        p = f"h.{i}."
        a = ln(x, P[p + "ln_1.weight"], P[p + "ln_1.bias"])
        qkv = a @ P[p + "attn.c_attn.weight"] + P[p + "attn.c_attn.bias"]
        ctx = np.zeros((T, C))
        for h in range(H):
            q = qkv[:, h * D:(h + 1) * D]
            k = qkv[:, C + h * D:C + (h + 1) * D]
            v = qkv[:, 2 * C + h * D:2 * C + (h + 1) * D]
            for t in range(T):
                s = k[: t + 1] @ q[t] / math.sqrt(D)
                w = np.exp(s - s.max())
                w /= w.sum()
                ctx[t, h * D:(h + 1) * D] = w @ v[: t + 1]
        x = x + ctx @ P[p + "attn.c_proj.weight"] + P[p + "attn.c_proj.bias"]
        a = ln(x, P[p + "ln_2.weight"], P[p + "ln_2.bias"])
        u = a @ P[p + "mlp.c_fc.weight"] + P[p + "mlp.c_fc.bias"]
        g = 0.5 * u * (1 + np.tanh(np.sqrt(2 / np.pi) * (u + 0.044715 * u ** 3)))
        x = x + g @ P[p + "mlp.c_proj.weight"] + P[p + "mlp.c_proj.bias"]
    x = ln(x, P["ln_f.weight"], P["ln_f.bias"])
    return x @ P["wte.weight"].T


def batch_for(name):
    man = mg.json.load(open(os.path.join(mg.GOLDENS, name, "manifest.json")))
    ids = torch.tensor(man["input_ids"])
    mask = torch.tensor(man["attention_mask"])
    return man, ids, mask


def main():
    rng = np.random.default_rng(0)
    for name, folder in MODELS.items():
        print(f"== {name}")
        base = gpt2_ref.load(folder)
        cfg = base.cfg
        man, ids, mask = batch_for(name)
        L = man["hook_layer"]
        lengths = man["lengths"]
        m64 = base.to(torch.float64)
        m32 = base.to(torch.float32)

        # 1. numpy vs torch
        for i, n in enumerate(lengths):
            seq = ids[i, :n].tolist()
            ref = np_gpt2(base.params, cfg, seq)
            with torch.no_grad():
                t64 = gpt2_ref.forward(m64, torch.tensor([seq]))[0][0].numpy()
                t32 = gpt2_ref.forward(m32, torch.tensor([seq]))[0][0].numpy()
            check(f"numpy vs torch64 logits, prompt {i} (max abs)", np.abs(ref - t64).max(), 1e-10)
            print(f"       (info) torch float32 vs float64 logits max abs: {np.abs(t32 - t64).max():.3e}")

        # 3. batched vs single
        with torch.no_grad():
            lb = gpt2_ref.forward(m64, ids, mask)[0]
            for i, n in enumerate(lengths):
                ls = gpt2_ref.forward(m64, ids[i:i + 1, :n])[0][0]
                check(f"batched vs single float64, row {i}", (lb[i, :n] - ls).abs().max().item(), 1e-12)
        gold, _ = safetensors_io.read(os.path.join(mg.GOLDENS, name, "goldens.safetensors"))
        for i, n in enumerate(lengths):
            d = np.abs(gold["logits"][i, :n] - gold[f"logits.single.{i}"]).max()
            check(f"stored logits[{i},:{n}] vs logits.single.{i}", d, 1e-6)

        # hooks / injection structure
        W = gold[f"hook.mlp_in"].astype(np.float64) @ base.params[f"h.{L}.mlp.c_proj.weight"].numpy().astype(np.float64)
        W += base.params[f"h.{L}.mlp.c_proj.bias"].numpy()
        check("hook.mlp_in @ c_proj.W + b vs hook.mlp_out (max abs)", np.abs(W - gold["hook.mlp_out"]).max(), 1e-5)
        dl = np.abs(gold["inject.logits"] - gold["logits"]).max(axis=-1)  # [B,T]
        expect = np.zeros_like(dl, dtype=bool)
        for b, t in man["inject"]["positions"]:
            expect[b, t:] = True
        check("inject.logits == logits exactly where no injected position is in the causal past",
              float(dl[~expect].max()), 0.0)
        print(f"       (info) min change of inject.logits where expected: {dl[expect].min():.3e}")

        # 2. finite differences on the loss, float64
        mg_ = base.to(torch.float64, requires_grad=True)
        logits, _ = gpt2_ref.forward(mg_, ids, mask)
        loss, _ = gpt2_ref.lm_loss(logits, ids, mask)
        loss.backward()

        def loss_at(params):
            mm = gpt2_ref.GPT2(cfg, params, base.ckpt_names)
            with torch.no_grad():
                return gpt2_ref.lm_loss(gpt2_ref.forward(mm, ids, mask)[0], ids, mask)[0].item()

        used = sorted(set(ids[mask.bool()].tolist()))
        names = gpt2_ref.param_names(cfg)
        worst = 0.0
        n_checked = 0
        for k in names:
            g = mg_.params[k].grad
            shape = g.shape
            picks = [tuple(int(rng.integers(0, s)) for s in shape) for _ in range(2)]
            if k == "wte.weight":
                picks = [(used[0], 3), (used[-1], 5), (int(rng.integers(0, shape[0])), 1)]
            if k == "wpe.weight":
                picks = [(0, 2), (max(lengths) - 2, 7 % shape[1])]
            for idx in picks:
                h = 1e-5
                ps = {kk: vv.detach().clone() for kk, vv in mg_.params.items()}
                ps[k][idx] += h
                lp = loss_at(ps)
                ps[k][idx] -= 2 * h
                lm = loss_at(ps)
                fd = (lp - lm) / (2 * h)
                an = g[idx].item()
                # mixed criterion: relative for normal-sized entries, absolute (1e-9) for tiny ones
                err = abs(fd - an) / (abs(an) + 1e-4)
                if err > worst:
                    worst, worst_at = err, (k, idx, an, fd)
                n_checked += 1
        check(f"finite diff vs autograd, {n_checked} coords over {len(names)} params "
              f"(max |fd-an|/(|an|+1e-4))", worst, 1e-5)
        print(f"       (info) worst at {worst_at[0]}{list(worst_at[1])}: autograd {worst_at[2]:.9e} fd {worst_at[3]:.9e}")

        # d loss / d delta
        delta0 = torch.from_numpy(gold["inject.delta"]).to(torch.float64)
        B, T = ids.shape
        add = torch.zeros(B, T, dtype=torch.float64)
        for b, t in man["inject"]["positions"]:
            add[b, t] = 1.0

        def iloss(dv):
            lg = gpt2_ref.forward(m64, ids, mask, inject=(L, dv, add))[0]
            return gpt2_ref.lm_loss(lg, ids, mask)[0]

        dv = delta0.clone().requires_grad_(True)
        iloss(dv).backward()
        worst = 0.0
        for j in rng.choice(cfg.n_embd, size=4, replace=False):
            e = torch.zeros_like(delta0)
            e[j] = 1e-5
            with torch.no_grad():
                fd = (iloss(delta0 + e).item() - iloss(delta0 - e).item()) / 2e-5
            an = dv.grad[j].item()
            worst = max(worst, abs(fd - an) / max(abs(an), 1e-6))
        check("finite diff vs autograd d loss/d delta, 4 coords (max rel)", worst, 1e-5)

        # 4. stored goldens vs recomputation (float32 rounding of float64 results)
        check("stored grad_delta vs recomputed (max abs)",
              np.abs(gold["inject.grad_delta"] - dv.grad.float().numpy()).max(), 0.0)
        check("stored loss vs recomputed", abs(gold["loss"][0] - np.float32(loss.item())), 0.0)
        # float32 engine-like run vs goldens, to sanity-check the C# tolerances
        m32g = base.to(torch.float32, requires_grad=True)
        l32, _ = gpt2_ref.forward(m32g, ids, mask)
        loss32, _ = gpt2_ref.lm_loss(l32, ids, mask)
        loss32.backward()
        valid = mask.bool()
        print(f"       (info) float32 run vs golden logits (valid) max abs: "
              f"{np.abs(l32.detach().numpy()[valid.numpy()] - gold['logits'][valid.numpy()]).max():.3e}")
        rel = 0.0
        for k in names:
            a = m32g.params[k].grad.numpy()
            b = gold["grad." + base.ckpt_names[k]]
            rel = max(rel, np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))
        print(f"       (info) float32 run vs golden grads, worst per-tensor rel: {rel:.3e}")

    # loader: both layouts give the same parameters
    print("== loader layouts")
    rnd = gpt2_ref.load(MODELS["gpt2-random"])
    t, meta = safetensors_io.read(os.path.join(MODELS["gpt2-random"], "model.safetensors"))
    pref = {"transformer." + k: v for k, v in t.items() if not k.endswith((".attn.bias", ".attn.masked_bias"))}
    pref["lm_head.weight"] = t["wte.weight"]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "config.json"), "w") as f:
            mg.json.dump(rnd.cfg.raw, f)
        safetensors_io.write(os.path.join(d, "model.safetensors"), pref, meta)
        pr = gpt2_ref.load(d)
    same = all(torch.equal(pr.params[k], rnd.params[k]) for k in rnd.params) and len(pr.params) == len(rnd.params)
    print(f"  {'ok  ' if same else 'FAIL'} hub layout == prefixed layout (+ lm_head) parameters")
    if not same:
        failures.append("layouts")

    print("ALL OK" if not failures else f"FAILURES: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
