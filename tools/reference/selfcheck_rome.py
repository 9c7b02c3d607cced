"""Manual self-checks of the ROME reference and its goldens (not a CI test; prints a report).

 1. Stored goldens are internally consistent: k_bar = mean(keys), k_s = keys[0], u = C^-1 k / ||.||
    (numpy solve; p-rome from k_s), v_star = v_init + delta, r and delta_w from their formulas,
    |delta| <= clamp bound, loss_trace[0] = NLL before the edit.
 2. Keys/values of the batched, padded run == each prompt run alone.
 3. The v-loss == an independent per-prompt implementation using torch kl_div(log p_init,
    log p_delta, log_target=True, reduction='batchmean') (the upstream call).
 4. d loss / d delta (autograd) == central finite differences in float64, at delta = 0, at a
    random delta and at the final delta.
 5. A hand-written Adam + clamp loop (formulas in the README) reproduces delta_trace and delta.
 6. Single template: rome == r-rome == p-rome.
 7. Applying delta_w: the edited MLP output at the unprefixed subject-last token is v_init + delta
    (rome, p-rome), the template mean of the edited values is v_init + delta (r-rome); rewriting
    NLL before / after (must drop on every prompt for rome-cov-direct).
 8. C recomputed from its token sequences == stored C; stored case == fresh float64 recomputation
    (bit-identical float32); text prompts: joint ids match the index pieces.
 9. (info) float32 runs of the whole pipeline vs the goldens: the relative error of delta_w, with
    C^-1 k solved in float64 and in float32.

Run: /usr/bin/python3 tools/reference/selfcheck_rome.py   (2-4 minutes on 2 cores)
"""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import make_rome_goldens as mk  # noqa: E402
import rome_ref  # noqa: E402
import safetensors_io  # noqa: E402

torch.set_num_threads(1)
failures = []


def check(label, value, limit):
    ok = value <= limit
    print(f"  {'ok  ' if ok else 'FAIL'} {label}: {value:.3e} (limit {limit:.0e})")
    if not ok:
        failures.append(label)


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def prep_of(case):
    p = case["prompts"]
    mkp = lambda d: rome_ref.Prompt(d["ids"], d["subject_last"])  # noqa: E731
    return rome_ref.Prepared([mkp(d) for d in p["key"]], [mkp(d) for d in p["rewrite"]], mkp(p["kl"]),
                             p["target_ids"])


def load_set(name):
    folder = os.path.join(mk.GOLDENS, name)
    man = json.load(open(os.path.join(folder, "manifest.json"), encoding="utf-8"))
    gold = {c: safetensors_io.read(os.path.join(folder, info["file"]))[0] for c, info in man["cases"].items()}
    model_dir = os.path.join(mk.REPO, man["model_dir"])
    return folder, man, gold, gpt2_ref.load(model_dir)


def structure(man, gold, C64):
    """Check 1 on every case."""
    worst = {"k": 0.0, "u": 0.0, "vstar": 0.0, "r": 0.0, "dw": 0.0, "rel": 0.0, "clamp": 0.0, "nll0": 0.0}
    for cname, info in man["cases"].items():
        g = gold[cname]
        K = g["keys"].astype(np.float64)
        worst["k"] = max(worst["k"], rel(K.mean(0), g["k_bar"]), rel(K[0], g["k_s"]),
                         rel(g["values"].astype(np.float64).mean(0), g["v_bar"]), rel(g["values"][0], g["v_s"]))
        k = g["k_s"] if info["mode"] == "p-rome" else g["k_bar"]
        x = np.linalg.solve(C64, k.astype(np.float64)) if info["c"] == "second_moment" else k.astype(np.float64)
        worst["u"] = max(worst["u"], rel(x / np.linalg.norm(x), g["u"]))
        vstar = g["v_init"].astype(np.float64) + g["delta"]
        worst["vstar"] = max(worst["vstar"], rel(vstar, g["v_star"]) if np.linalg.norm(g["delta"]) else 0.0)
        if info["mode"] == "r-rome":
            num, den = vstar - g["v_bar"], float(np.dot(g["k_bar"].astype(np.float64), g["u"]))
        else:
            num, den = vstar - g["v_s"], float(np.dot(g["k_s"].astype(np.float64), g["u"]))
        if info["adam_steps"]:
            # (v_init + delta - v_s) loses digits in float32 when |delta| << |v|; compare to delta's scale
            scale = np.linalg.norm(g["r"])
            worst["r"] = max(worst["r"], float(np.linalg.norm(num / den - g["r"]) / scale))
            dw = np.outer(g["u"].astype(np.float64), g["r"])
            worst["dw"] = max(worst["dw"], rel(dw, g["delta_w"]))
            worst["rel"] = max(worst["rel"], abs(np.linalg.norm(dw) / dw.size - g["delta_w_rel"][0]) / g["delta_w_rel"][0])
        else:
            worst["dw"] = max(worst["dw"], float(np.abs(g["delta_w"]).max()))
        worst["clamp"] = max(worst["clamp"], info["delta_norm_float64"] - info["clamp_bound_float64"] * (1 + 1e-12))
        worst["nll0"] = max(worst["nll0"], abs(info["loss_trace_float64"][0] - np.mean(info["rewrite_nll_before_edit"])))
    check("k_bar = mean(keys), k_s = keys[0], v_bar, v_s (max rel)", worst["k"], 1e-6)
    check("u = C^-1 k / ||C^-1 k|| (numpy solve from stored k; p-rome uses k_s) (max rel)", worst["u"], 1e-4)
    check("v_star = v_init + delta (max rel)", worst["vstar"], 1e-6)
    check("r from its mode formula (max err / ||r||)", worst["r"], 1e-4)
    check("delta_w = outer(u, r) (max rel)", worst["dw"], 1e-6)
    check("delta_w_rel = ||delta_w||_F / numel (max rel)", worst["rel"], 1e-5)
    check("||delta|| - clamp bound (<= 0)", max(worst["clamp"], 0.0), 0.0)
    check("loss_trace[0] = mean rewriting NLL before the edit (abs)", worst["nll0"], 1e-12)


def per_prompt_loss(model, layer, prep, hp, delta, v_init, kl_init):
    """Independent v-loss: every prompt run alone (no padding), upstream's kl_div call."""
    nt = len(prep.target_ids)
    nlls = []
    for p in prep.rewrite_prompts:
        add = torch.zeros(1, len(p.ids), dtype=torch.float64)
        add[0, p.subject_last] = 1.0
        lg, _ = gpt2_ref.forward(model, torch.tensor([p.ids]), inject=(layer, delta, add))
        lp = torch.log_softmax(lg[0], dim=-1)
        n = len(p.ids)
        nlls.append(-sum(lp[n - nt + i, prep.target_ids[i]] for i in range(nt)) / nt)
    q = prep.kl_prompt
    add = torch.zeros(1, len(q.ids), dtype=torch.float64)
    add[0, q.subject_last] = 1.0
    lg, _ = gpt2_ref.forward(model, torch.tensor([q.ids]), inject=(layer, delta, add))
    cur = torch.log_softmax(lg[0, q.subject_last], dim=-1)[None, :]
    kl = torch.nn.functional.kl_div(kl_init[None, :], cur, log_target=True, reduction="batchmean")
    wd = torch.norm(delta) / torch.norm(v_init) ** 2
    return torch.stack(nlls).mean() + hp["kl_factor"] * kl + hp["v_weight_decay"] * wd


def loss_and_grads(model, layer, info, gold_case, pad_id, rng):
    """Checks 2-5 for one case."""
    prep, hp = prep_of(info), info["hparams"]
    # 2. batched keys == single runs
    K, V = rome_ref.keys_values(model, layer, prep.key_prompts, pad_id)
    worst = 0.0
    with torch.no_grad():
        for j, p in enumerate(prep.key_prompts):
            _, h = gpt2_ref.forward(model, torch.tensor([p.ids]), hook_layer=layer)
            worst = max(worst, (h["mlp_in"][0, p.subject_last] - K[j]).abs().max().item(),
                        (h["mlp_out"][0, p.subject_last] - V[j]).abs().max().item())
    check("keys/values: padded batch vs each prompt alone (max abs)", worst, 1e-12)

    f = rome_ref.VLoss(model, layer, prep, hp, pad_id)
    C = model.cfg.n_embd
    zero = torch.zeros(C, dtype=torch.float64)
    f(zero)  # records v_init, p_init
    d_rand = torch.from_numpy(rng.standard_normal(C)) * (0.5 * f.v_init.norm() / np.sqrt(C))
    d_final = torch.from_numpy(gold_case["delta"].astype(np.float64))

    # 3. loss value vs independent per-prompt implementation
    worst = 0.0
    with torch.no_grad():
        for d in (zero, d_rand, d_final):
            a = f(d)[0].item()
            b = per_prompt_loss(model, layer, prep, hp, d, f.v_init, f.kl_init).item()
            worst = max(worst, abs(a - b) / abs(b))
    check("v-loss (batched, own KL formula) vs per-prompt + torch kl_div (max rel)", worst, 1e-12)

    # 4. gradient vs central finite differences
    worst, where = 0.0, None
    for label, d in (("0", zero), ("random", d_rand), ("final", d_final)):
        dv = d.clone().requires_grad_(True)
        f(dv)[0].backward()
        g = dv.grad
        for j in rng.choice(C, size=4, replace=False):
            h = 1e-6 * max(1.0, float(d.norm()))
            e = torch.zeros(C, dtype=torch.float64)
            e[j] = h
            with torch.no_grad():
                fd = (f(d + e)[0].item() - f(d - e)[0].item()) / (2 * h)
            err = abs(fd - g[j].item()) / (abs(g[j].item()) + 1e-6 * float(g.abs().max()) + 1e-12)
            if err > worst:
                worst, where = err, (label, int(j), g[j].item(), fd)
    check("d loss/d delta: autograd vs central finite differences, 12 coords at delta = 0 / random / final "
          "(max rel)", worst, 1e-5)
    print(f"       (info) worst at delta={where[0]} coord {where[1]}: autograd {where[2]:.9e} fd {where[3]:.9e}")

    # 5. hand-written Adam + clamp loop
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, hp["v_lr"]
    delta = torch.zeros(C, dtype=torch.float64)
    m = torch.zeros(C, dtype=torch.float64)
    s = torch.zeros(C, dtype=torch.float64)
    bound = hp["clamp_norm_factor"] * f.v_init.norm()
    trail = []
    for it in range(hp["v_num_grad_steps"]):
        dv = delta.clone().requires_grad_(True)
        loss = f(dv)[0]
        if loss.item() < rome_ref.STOP_LOSS or it == hp["v_num_grad_steps"] - 1:
            break
        loss.backward()
        g = dv.grad
        t = it + 1
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        delta = delta - (lr / (1 - b1 ** t)) * m / (s.sqrt() / np.sqrt(1 - b2 ** t) + eps)
        if delta.norm() > bound:
            delta = delta * (bound / delta.norm())
        trail.append(delta.clone())
    ok_len = len(trail) == info["adam_steps"]
    worst = 0.0
    if trail:
        T = torch.stack(trail).numpy()
        worst = float(np.abs(T - gold_case["delta_trace"]).max() / np.abs(gold_case["delta_trace"]).max())
    worst = max(worst, rel(delta.numpy(), gold_case["delta"]) if delta.norm() > 0 else float(np.abs(gold_case["delta"]).max()))
    check(f"hand-written Adam+clamp loop vs delta_trace/delta ({len(trail)} steps, "
          f"{'same' if ok_len else 'DIFFERENT'} count) (max rel)", worst if ok_len else 1.0, 1e-5)


def apply_checks(model, layer, info, g, pad_id, strict_nll):
    """Check 7 for one case."""
    prep = prep_of(info)
    dW = torch.from_numpy(g["delta_w"].astype(np.float64))
    me = rome_ref.edited(model, layer, dW)
    _, Ve = rome_ref.keys_values(me, layer, prep.key_prompts, pad_id)
    vstar = g["v_init"].astype(np.float64) + g["delta"]
    if info["mode"] == "r-rome":
        got = Ve.mean(0).numpy()
        what = "template mean of edited values"
    else:
        got = Ve[0].numpy()
        what = "edited value at the unprefixed prompt"
    err = float(np.linalg.norm(got - vstar) / max(np.linalg.norm(g["delta"]), 1e-30)) if info["adam_steps"] else \
        float(np.abs(got - g["v_init"]).max())
    check(f"{what} == v_init + delta (err / ||delta||)", err, 1e-5)
    before = rome_ref.rewrite_nll_of(model, prep, pad_id).numpy()
    after = rome_ref.rewrite_nll_of(me, prep, pad_id).numpy()
    # rank of target[0] at the predicting position of each rewriting prompt
    ids, mask = rome_ref.batch(prep.rewrite_prompts, pad_id)
    nt = len(prep.target_ids)
    ranks = []
    for mdl in (model, me):
        with torch.no_grad():
            lg = gpt2_ref.forward(mdl, ids, mask)[0]
        r = []
        for b, p in enumerate(prep.rewrite_prompts):
            row = lg[b, len(p.ids) - nt]
            r.append(int((row > row[prep.target_ids[0]]).sum()))
        ranks.append(r)
    print(f"       rewriting NLL before {np.round(before, 4).tolist()}")
    print(f"                     after  {np.round(after, 4).tolist()}")
    print(f"       rank of target[0] before {ranks[0]} after {ranks[1]} (0 = top)")
    if strict_nll:
        check("rewriting NLL drops on every prompt (max of after - before, must be <= 0)", float(np.max(after - before)), 0.0)


def float32_runs(model32, layer, man, gold, C32):
    """Check 9 (info): whole pipeline in float32; u solved in float64 or float32."""
    pad_id = man["pad_token_id"]
    print("  (info) float32 pipeline vs golden, rel error of delta_w / delta / u:")
    for cname, info in man["cases"].items():
        if info["adam_steps"] == 0:
            continue
        prep, hp = prep_of(info), info["hparams"]
        res = rome_ref.rome_edit(model32, layer, prep, dict(hp, mom2_adjustment=False), info["mode"], None, pad_id)
        k = res["k_s"] if info["mode"] == "p-rome" else res["k_bar"]
        den_k = res["k_bar"] if info["mode"] == "r-rome" else res["k_s"]
        num = res["r"] * torch.dot(den_k, res["u"])  # v* - v (mode's v)
        line = []
        variants = [("solve64", torch.float64), ("solve32", torch.float32)] if info["c"] == "second_moment" else [("", None)]
        for label, dt in variants:
            if dt is None:
                u = res["u"]
            else:
                x = torch.linalg.solve(C32.to(dt), k.to(dt))
                u = (x / torch.linalg.norm(x)).to(torch.float32)
            r = num / torch.dot(den_k, u)
            dw = torch.outer(u, r).numpy()
            e = rel(dw, gold[cname]["delta_w"])
            line.append(f"{label + ' ' if label else ''}ΔW {e:.2e} u {rel(u.numpy(), gold[cname]['u']):.2e}")
            if label != "solve32":
                check(f"{cname}: float32 pipeline ΔW within the C# tolerance", e, 1e-3)
        print(f"         {cname:20s} δ {rel(res['delta'].numpy(), gold[cname]['delta']):.2e}  " + "  ".join(line))


def main():
    rng = np.random.default_rng(0)

    # ------------------------------------------------------------ random model, id-level
    print("== rome-random")
    folder, man, gold, base = load_set("rome-random")
    layer, pad_id = man["layer"], man["pad_token_id"]
    m64 = base.to(torch.float64)
    sm, _ = safetensors_io.read(os.path.join(folder, "second_moment.safetensors"))
    C64 = sm["C"].astype(np.float64)
    structure(man, gold, C64)

    Crec, n = rome_ref.second_moment(m64, layer, sm["input_ids"].tolist())
    check("C recomputed from input_ids vs stored float32 C (max abs / max |C|)",
          float(np.abs(Crec.numpy() - C64).max() / np.abs(C64).max()), 1e-7)
    ev = np.linalg.eigvalsh(C64)
    print(f"       (info) C: {n} tokens, eigenvalues {ev[0]:.3e} .. {ev[-1]:.3e}, cond {ev[-1] / ev[0]:.3e}")

    for cname in ("rome-cov", "rome-cov-direct"):
        print(f"  -- {cname}: loss, gradient, optimiser")
        loss_and_grads(m64, layer, man["cases"][cname], gold[cname], pad_id, rng)

    print("  -- single template: rome == r-rome == p-rome")
    a, b, c = (gold[f"{x}-cov-single"] for x in rome_ref.MODES)
    check("rome vs r-rome delta_w (max abs)", float(np.abs(a["delta_w"] - b["delta_w"]).max()), 1e-9)
    check("rome vs p-rome delta_w (max abs)", float(np.abs(a["delta_w"] - c["delta_w"]).max()), 1e-9)
    check("k_bar == k_s, v_bar == v_s with one template (max abs)",
          float(max(np.abs(a["k_bar"] - a["k_s"]).max(), np.abs(a["v_bar"] - a["v_s"]).max())), 0.0)
    print(f"       (info) |Δ| = {a['delta_w_rel'][0]:.6e}, ||delta_w||_F = {np.linalg.norm(a['delta_w']):.6e}")

    print("  -- p-rome u = C^-1 k_s / ||C^-1 k_s||")
    for cname in ("p-rome-cov", "p-rome-identity"):
        g = gold[cname]
        x = np.linalg.solve(C64, g["k_s"].astype(np.float64)) if cname.endswith("cov") else g["k_s"].astype(np.float64)
        check(f"{cname}: u vs normalised C^-1 k_s (rel)", rel(x / np.linalg.norm(x), g["u"]), 1e-5)
        y = np.linalg.solve(C64, g["k_bar"].astype(np.float64)) if cname.endswith("cov") else g["k_bar"].astype(np.float64)
        print(f"       (info) {cname}: distance to the k_bar-based u {rel(y / np.linalg.norm(y), g['u']):.3e}")

    print("  -- applying delta_w")
    for cname, info in man["cases"].items():
        print(f"  {cname}")
        apply_checks(m64, layer, info, gold[cname], pad_id, strict_nll=(cname == "rome-cov-direct"))

    print("  -- stored == recomputed (rome-cov, float32 bytes)")
    info = man["cases"]["rome-cov"]
    out, _ = mk.run_case(m64, layer, prep_of(info), info["hparams"], "rome", torch.from_numpy(C64), pad_id)
    diff = max(float(np.abs(out[k] - gold["rome-cov"][k]).max()) for k in out)
    check("every tensor of rome-cov recomputed vs stored (max abs)", diff, 0.0)

    float32_runs(base.to(torch.float32), layer, man, gold, torch.from_numpy(sm["C"]))

    # ------------------------------------------------------------ tiny fixture, text
    print("== rome-hf-tiny-gpt2")
    folder, man, gold, base = load_set("rome-hf-tiny-gpt2")
    layer, pad_id = man["layer"], man["pad_token_id"]
    m64 = base.to(torch.float64)
    structure(man, gold, None)
    tok = rome_ref.NodeBPE(mk.NODE_DIR)
    for cname, info in man["cases"].items():
        t = info["tokenized"]
        allp = t["key_prompts"] + t["rewrite_prompts"] + [t["kl_prompt"]]
        ok = all(p["joint_matches_pieces"] for p in allp)
        check(f"{cname}: joint ids start with prefix ids + word ids for all {len(allp)} prompts",
              0.0 if ok else 1.0, 0.0)
        subj = info["request"]["subject"]
        ends = {tuple(tok.encode([subj])[0][-1:]), tuple(tok.encode([" " + subj.strip()])[0][-1:])}
        bad = [p["text"] for p in allp if (p["ids"][p["subject_last"]],) not in ends]
        check(f"{cname}: token at subject_last = last token of tok(subject) or tok(' ' + subject)",
              float(len(bad)), 0.0)
        print(f"       (info) tokens at subject_last: "
              f"{sorted({tok.decode([[p['ids'][p['subject_last']]]])[0] for p in allp})}")
        prep, _ = rome_ref.prepare_from_text(tok, info["request"]["prompt"], info["request"]["subject"],
                                             info["request"]["target_new"], man["templates"])
        same = prep_of(info)
        eq = all(a.ids == b.ids and a.subject_last == b.subject_last for a, b in
                 zip(prep.key_prompts + prep.rewrite_prompts + [prep.kl_prompt],
                     same.key_prompts + same.rewrite_prompts + [same.kl_prompt]))
        check(f"{cname}: re-tokenised prompts == manifest prompts", 0.0 if eq else 1.0, 0.0)
    cname = "rome-eiffel"
    print(f"  -- {cname}: loss, gradient, optimiser")
    loss_and_grads(m64, layer, man["cases"][cname], gold[cname], pad_id, rng)
    print("  -- applying delta_w")
    for cname, info in man["cases"].items():
        print(f"  {cname}")
        apply_checks(m64, layer, info, gold[cname], pad_id, strict_nll=False)
    float32_runs(base.to(torch.float32), layer, man, gold, None)

    print("ALL OK" if not failures else f"FAILURES: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
