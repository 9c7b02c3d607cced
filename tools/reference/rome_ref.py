"""Independent plain-torch reference for ROME, r-ROME and p-ROME on gpt2_ref.

Written from the algorithm description in ../shared/docs/editing-methods.md
(sections 1 and 2); no upstream code. The edited matrix is h.L.mlp.c_proj
(Conv1D, W stored [in = 4C, out = C]); its input is the "key" k, its output
W k + b the "value".

Pipeline for one request (prompt with "{}", subject, target_new) at layer L:

  templates    T_0 = "{}", T_1..T_{n-1} = "<prefix>. {}"  (fixed, given by the caller)
  key prompts  K_j = T_j.format(prompt).format(subject)    subject-last index s_j
  k_j, v_j     key (c_proj input) and value (c_proj output incl. bias) at s_j of K_j
  k_bar        mean_j k_j                       k_s = k_0 (the unprefixed prompt)
  v_bar        mean_j v_j                       v_s = v_0
  u            rome, r-rome: C^-1 k_bar / ||C^-1 k_bar||;  p-rome: C^-1 k_s / ||C^-1 k_s||
               (C = identity when mom2_adjustment is false)
  v* optim.    see optimise_v() below; gives delta and v_init
  r            rome:   (v_init + delta - v_s)   / (k_s . u)
               r-rome: (v_init + delta - v_bar) / (k_bar . u)
               p-rome: (v_init + delta - v_s)   / (k_s . u)    (u from k_s)
  Delta W      u (outer) r, shape [4C, C]: Delta W[i, o] = u[i] r[o]
  |Delta|      ||Delta W||_F / numel(W)

Prompts are handled at the token-id level (class Prompt: ids + subject-last
index). prepare_from_ids() builds them by concatenating id lists (no
tokenizer), prepare_from_text() by tokenising text exactly as upstream ROME
(see subject_last_index()).
"""

import json
import os
import subprocess

import torch

import gpt2_ref

MODES = ("rome", "r-rome", "p-rome")
STOP_LOSS = 5e-2
KL_PROMPT = "{} is a"


class Prompt:
    """A token sequence and the index of the subject's last token in it."""

    def __init__(self, ids, subject_last):
        self.ids = [int(i) for i in ids]
        self.subject_last = int(subject_last)
        if not 0 <= self.subject_last < len(self.ids):
            raise ValueError(f"subject-last index {subject_last} outside a prompt of length {len(ids)}")

    def to_json(self):
        return {"ids": self.ids, "subject_last": self.subject_last}


class Prepared:
    """Everything the algorithm needs, as token ids.

    key_prompts[j]     template j applied to the prompt, subject filled in (no target);
                       j = 0 is the unprefixed prompt.
    rewrite_prompts[j] key_prompts[j] followed by target_ids[:-1] (same subject-last index
                       for id-level requests; re-tokenised text for text requests).
    kl_prompt          "{subject} is a".
    target_ids         tok(" " + target_new)."""

    def __init__(self, key_prompts, rewrite_prompts, kl_prompt, target_ids):
        if len(key_prompts) != len(rewrite_prompts) or not key_prompts:
            raise ValueError("need one key prompt and one rewriting prompt per template")
        self.key_prompts = key_prompts
        self.rewrite_prompts = rewrite_prompts
        self.kl_prompt = kl_prompt
        self.target_ids = [int(t) for t in target_ids]
        if not self.target_ids:
            raise ValueError("empty target")
        for p in rewrite_prompts:
            if len(p.ids) < len(self.target_ids):
                raise ValueError("rewriting prompt shorter than the target")


# ---------------------------------------------------------------- id-level requests
def prepare_from_ids(prefix_ids, subject_ids, suffix_ids, target_ids, kl_suffix_ids, template_prefixes):
    """Id-level request (no tokenizer). For template j with prefix ids P_j (P_0 = []):
        key prompt     P_j + prefix + subject + suffix
        rewrite prompt P_j + prefix + subject + suffix + target[:-1]
        subject-last   len(P_j) + len(prefix) + len(subject) - 1
        KL prompt      subject + kl_suffix, subject-last len(subject) - 1"""
    if list(template_prefixes[0]) != []:
        raise ValueError('template 0 must be "{}" (empty prefix)')
    if not subject_ids:
        raise ValueError("empty subject")
    keys, rewrites = [], []
    for tp in template_prefixes:
        ids = list(tp) + list(prefix_ids) + list(subject_ids) + list(suffix_ids)
        s = len(tp) + len(prefix_ids) + len(subject_ids) - 1
        keys.append(Prompt(ids, s))
        rewrites.append(Prompt(ids + list(target_ids[:-1]), s))
    kl = Prompt(list(subject_ids) + list(kl_suffix_ids), len(subject_ids) - 1)
    return Prepared(keys, rewrites, kl, target_ids)


# ---------------------------------------------------------------- text requests
class NodeBPE:
    """GPT-2 byte-level BPE via the npm package gpt-3-encoder@1.1.4 (tools/reference/.node)."""

    def __init__(self, node_dir):
        self.env = dict(os.environ, NODE_PATH=os.path.join(node_dir, "node_modules"))
        if self.encode(["Hello world"])[0] != [15496, 995]:
            raise RuntimeError("tokenizer sanity check failed")

    def _run(self, job):
        script = (
            "const {encode,decode}=require('gpt-3-encoder');"
            "const j=JSON.parse(require('fs').readFileSync(0,'utf8'));"
            "console.log(JSON.stringify({e:j.e.map(s=>encode(s)),d:j.d.map(x=>decode(x))}));"
        )
        out = subprocess.run(["node", "-e", script], input=json.dumps(job), check=True,
                             capture_output=True, text=True, env=self.env).stdout
        return json.loads(out)

    def encode(self, texts):
        return self._run({"e": list(texts), "d": []})["e"]

    def decode(self, id_lists):
        return self._run({"e": [], "d": [list(x) for x in id_lists]})["d"]


def split_for_index(template, subject):
    """Upstream ROME repr_tools semantics for fact_token = subject_last: split the
    template at its single "{}" into prefix and suffix; if the prefix is non-empty it
    must end in a space, which is removed, and the subject becomes " " + subject.strip();
    with an empty prefix the subject is used as given. Returns (prefix, word, suffix)
    texts, to be tokenised SEPARATELY."""
    if template.count("{}") != 1:
        raise ValueError(f"template must contain exactly one {{}}: {template!r}")
    at = template.index("{}")
    prefix, suffix = template[:at], template[at + 2:]
    word = subject
    if prefix:
        if not prefix.endswith(" "):
            raise ValueError(f"text before {{}} must end with a space: {template!r}")
        prefix = prefix[:-1]
        word = " " + subject.strip()
    return prefix, word, suffix


def prepare_from_text(tok, prompt, subject, target_new, templates):
    """Text request, tokenised as upstream ROME does:
      target_ids     = tok(" " + target_new) (a leading space is added if missing)
      key prompt j   = tok(T_j.format(prompt).format(subject))
      rewrite prompt = tok((T_j.format(prompt) + decode(target_ids[:-1])).format(subject))
      KL prompt      = tok("{} is a".format(subject))
      subject-last   = len(tok(prefix)) + len(tok(word)) - 1 with (prefix, word) from
                       split_for_index() of the prompt *before* the subject is filled in.
    Whole prompts are tokenised in one piece; the index comes from the separate pieces
    (both as upstream). Returns (Prepared, info) with the texts and a consistency flag per
    prompt (True when the joint ids start with prefix ids + word ids)."""
    if templates[0] != "{}":
        raise ValueError('template 0 must be "{}"')
    tgt_text = target_new if target_new.startswith(" ") else " " + target_new
    target_ids = tok.encode([tgt_text])[0]
    tail = tok.decode([target_ids[:-1]])[0] if len(target_ids) > 1 else ""
    key_t = [t.format(prompt) for t in templates]
    rw_t = [t + tail for t in key_t]
    all_t = key_t + rw_t + [KL_PROMPT]
    pieces = [split_for_index(t, subject) for t in all_t]
    texts = [t.format(subject) for t in all_t]
    flat = tok.encode(texts + [x for p in pieces for x in p])
    joint, sep = flat[:len(texts)], flat[len(texts):]
    prompts, info = [], []
    for i, t in enumerate(all_t):
        p_ids, w_ids, s_ids = sep[3 * i: 3 * i + 3]
        idx = len(p_ids) + len(w_ids) - 1
        prompts.append(Prompt(joint[i], idx))
        info.append({
            "template": t, "text": texts[i], "ids": joint[i], "subject_last": idx,
            "index_pieces": {"prefix": pieces[i][0], "word": pieces[i][1], "suffix": pieces[i][2],
                             "prefix_ids": p_ids, "word_ids": w_ids, "suffix_ids": s_ids},
            "joint_matches_pieces": joint[i][: len(p_ids) + len(w_ids)] == p_ids + w_ids,
        })
    n = len(templates)
    prep = Prepared(prompts[:n], prompts[n:2 * n], prompts[2 * n], target_ids)
    meta = {"target_text": tgt_text, "target_ids": target_ids, "target_prefix_decoded": tail,
            "key_prompts": info[:n], "rewrite_prompts": info[n:2 * n], "kl_prompt": info[2 * n]}
    return prep, meta


# ---------------------------------------------------------------- model helpers
def batch(prompts, pad_id):
    T = max(len(p.ids) for p in prompts)
    ids = torch.full((len(prompts), T), int(pad_id), dtype=torch.int64)
    mask = torch.zeros((len(prompts), T), dtype=torch.int64)
    for b, p in enumerate(prompts):
        ids[b, : len(p.ids)] = torch.tensor(p.ids, dtype=torch.int64)
        mask[b, : len(p.ids)] = 1
    return ids, mask


def keys_values(model, layer, prompts, pad_id):
    """(K [n, 4C], V [n, C]): c_proj input and output (incl. bias) at each prompt's
    subject-last token, no injection. Right-padded batch (valid positions are unaffected)."""
    ids, mask = batch(prompts, pad_id)
    with torch.no_grad():
        _, hooks = gpt2_ref.forward(model, ids, mask, hook_layer=layer)
    rows = torch.arange(len(prompts))
    pos = torch.tensor([p.subject_last for p in prompts])
    return hooks["mlp_in"][rows, pos].clone(), hooks["mlp_out"][rows, pos].clone()


def second_moment(model, layer, seqs):
    """C = (1/N) sum over every token of every sequence of k k^T (uncentered), k = c_proj
    input at `layer`; sequences are run one by one (no padding), N = total token count."""
    F = model.cfg.n_inner
    dt = model.params["wte.weight"].dtype
    acc = torch.zeros(F, F, dtype=dt)
    n = 0
    with torch.no_grad():
        for s in seqs:
            _, hooks = gpt2_ref.forward(model, torch.tensor([list(s)], dtype=torch.int64), hook_layer=layer)
            k = hooks["mlp_in"][0]
            acc += k.t() @ k
            n += k.shape[0]
    return acc / n, n


def left_vector(k, C=None):
    """u = C^-1 k / ||C^-1 k|| (C = None: identity). Solved with torch.linalg.solve."""
    x = k if C is None else torch.linalg.solve(C, k)
    return x / torch.linalg.norm(x)


def rewrite_nll(logits, prep, rows):
    """Per-row target NLL: for rewriting prompt b of length n, the logits at positions
    n - |t| + i (i = 0..|t|-1) predict target_ids[i]; nll_b = -(1/|t|) sum_i log p(t_i).
    The target positions of all rows are picked in one indexing (one gradient scatter in
    backward), so the cost does not grow with a full-size gradient per row."""
    nt = len(prep.target_ids)
    rows = list(rows)
    pos = torch.tensor([[len(prep.rewrite_prompts[b].ids) - nt + i for i in range(nt)] for b in rows], dtype=torch.int64)
    lp = torch.log_softmax(logits[torch.tensor(rows, dtype=torch.int64)[:, None], pos], dim=-1)   # [R, nt, V]
    tgt = torch.tensor(prep.target_ids, dtype=torch.int64).expand(len(rows), nt)
    return -lp.gather(-1, tgt[..., None]).squeeze(-1).sum(-1) / nt


# ---------------------------------------------------------------- v* optimisation
class VLoss:
    """The v* objective for one prepared request. Batch = [rewrite_prompts..., kl_prompt],
    right-padded; delta in R^C is added to the MLP output of block `layer` (c_proj output
    incl. bias, before the residual add) at the subject-last token of EVERY prompt of the
    batch, the KL prompt included.

      nll   = mean over rewriting prompts b of rewrite_nll_b
      kl    = KL(p_delta || p_init) = sum_x p_delta(x) (log p_delta(x) - log p_init(x)),
              p = softmax of the logits at the KL prompt's subject-last position, p_init at
              delta = 0 (= torch kl_div(input=log p_init, target=log p_delta, log_target=True,
              reduction='batchmean') with one KL prompt)
      wd    = ||delta||_2 / ||v_init||_2^2   (unsquared ||delta||; d||delta||/d delta := 0 at 0)
      loss  = nll + kl_factor * kl + v_weight_decay * wd
    v_init = MLP output at row 0's subject-last token at delta = 0; v_init and log p_init are
    taken from the first call (which must be at delta = 0), as upstream does."""

    def __init__(self, model, layer, prep, hp, pad_id):
        self.model, self.layer, self.prep, self.hp = model, layer, prep, hp
        self.prompts = prep.rewrite_prompts + [prep.kl_prompt]
        self.ids, self.mask = batch(self.prompts, pad_id)
        B, T = self.ids.shape
        self.add = torch.zeros(B, T, dtype=model.params["wte.weight"].dtype)
        for b, p in enumerate(self.prompts):
            self.add[b, p.subject_last] = 1.0
        self.rows = list(range(len(prep.rewrite_prompts)))
        self.v_init = None
        self.kl_init = None

    def run(self, delta):
        """(model logits, logits the NLL reads, activation at the injection point [B,T,C]) with
        delta injected."""
        logits, hooks = gpt2_ref.forward(self.model, self.ids, self.mask, hook_layer=self.layer,
                                         inject=(self.layer, delta, self.add))
        return logits, logits, hooks["mlp_out"]

    def __call__(self, delta):
        logits, nll_logits, injected_at = self.run(delta)
        if self.v_init is None:
            if torch.any(delta != 0):
                raise ValueError("the first evaluation must be at delta = 0")
            self.v_init = injected_at[0, self.prompts[0].subject_last].detach().clone()
        kl_logp = torch.log_softmax(logits[len(self.prompts) - 1, self.prep.kl_prompt.subject_last, :], dim=-1)
        if self.kl_init is None:
            self.kl_init = kl_logp.detach().clone()
        nll = rewrite_nll(nll_logits, self.prep, self.rows).mean()
        kl = (kl_logp.exp() * (kl_logp - self.kl_init)).sum()
        wd = torch.linalg.norm(delta) / torch.linalg.norm(self.v_init) ** 2
        loss = nll + self.hp["kl_factor"] * kl + self.hp["v_weight_decay"] * wd
        return loss, {"nll": nll, "kl": kl, "wd": wd, "kl_logp": kl_logp}


def optimise_v(model, layer, prep, hp, pad_id, objective=None):
    """objective: the loss to minimise (default VLoss; MEMIT passes its z objective, which
    must likewise expose v_init after its first call).
    Loop (it = 0 .. v_num_grad_steps - 1), as upstream:
      1. loss at the current delta (VLoss; it = 0 records v_init and log p_init)
      2. if loss < 0.05: stop
      3. if it == v_num_grad_steps - 1: stop           (so at most v_num_grad_steps - 1 steps)
      4. backward, torch.optim.Adam step (lr v_lr, betas (0.9, 0.999), eps 1e-8)
      5. if ||delta|| > clamp_norm_factor * ||v_init||: delta *= that bound / ||delta||"""
    f = objective if objective is not None else VLoss(model, layer, prep, hp, pad_id)
    delta = torch.zeros(model.cfg.n_embd, dtype=model.params["wte.weight"].dtype, requires_grad=True)
    opt = torch.optim.Adam([delta], lr=hp["v_lr"])
    trace = {"loss": [], "nll": [], "kl": [], "wd": [], "delta_norm": [], "delta_after_step": []}
    grad_init = None
    steps = 0
    stop_reason = None
    for it in range(hp["v_num_grad_steps"]):
        opt.zero_grad()
        loss, parts = f(delta)
        trace["loss"].append(loss.item())
        for k in ("nll", "kl", "wd"):
            trace[k].append(parts[k].item())
        trace["delta_norm"].append(torch.linalg.norm(delta).item())
        if loss.item() < STOP_LOSS:
            stop_reason = "loss < 0.05"
            break
        if it == hp["v_num_grad_steps"] - 1:
            stop_reason = "last iteration (it == v_num_grad_steps - 1)"
            break
        loss.backward()
        if grad_init is None:
            grad_init = delta.grad.detach().clone()
        opt.step()
        steps += 1
        max_norm = hp["clamp_norm_factor"] * torch.linalg.norm(f.v_init)
        with torch.no_grad():
            nrm = torch.linalg.norm(delta)
            if nrm > max_norm:
                delta.mul_(max_norm / nrm)
        trace["delta_after_step"].append(delta.detach().clone())
    return {
        "delta": delta.detach().clone(), "v_init": f.v_init, "kl_init_logprobs": f.kl_init,
        "grad_init": grad_init, "steps": steps, "iterations": len(trace["loss"]),
        "stop_reason": stop_reason, "trace": trace,
    }


# ---------------------------------------------------------------- full edit
def rome_edit(model, layer, prep, hp, mode, C=None, pad_id=None):
    """One ROME / r-ROME / p-ROME edit of model (weights not modified). C: second moment
    [4C, 4C] or None (identity); used only when hp['mom2_adjustment'] is true."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if hp["mom2_adjustment"] and C is None:
        raise ValueError("mom2_adjustment needs C")
    Cm = C if hp["mom2_adjustment"] else None
    K, V = keys_values(model, layer, prep.key_prompts, pad_id)
    k_bar, v_bar = K.mean(0), V.mean(0)
    k_s, v_s = K[0].clone(), V[0].clone()
    u = left_vector(k_s if mode == "p-rome" else k_bar, Cm)
    opt = optimise_v(model, layer, prep, hp, pad_id)
    delta, v_init = opt["delta"], opt["v_init"]
    v_star = v_init + delta
    if mode == "r-rome":
        denom = torch.dot(k_bar, u)
        r = (v_star - v_bar) / denom
    else:
        denom = torch.dot(k_s, u)
        r = (v_star - v_s) / denom
    dW = torch.outer(u, r)
    W = model.params[f"h.{layer}.mlp.c_proj.weight"]
    assert dW.shape == W.shape
    res = dict(opt)
    res.update({
        "keys": K, "values": V, "k_bar": k_bar, "v_bar": v_bar, "k_s": k_s, "v_s": v_s,
        "u": u, "v_star": v_star, "r": r, "denominator": denom, "delta_w": dW,
        "delta_norm": torch.linalg.norm(delta), "delta_w_rel": torch.linalg.norm(dW) / W.numel(),
    })
    return res


def edited(model, layer, dW):
    """A copy of model with h.layer.mlp.c_proj.weight += dW."""
    m = model.to(model.params["wte.weight"].dtype)
    name = f"h.{layer}.mlp.c_proj.weight"
    m.params[name] = m.params[name] + dW.to(m.params[name].dtype)
    return m


def rewrite_nll_of(model, prep, pad_id):
    """Per rewriting prompt target NLL (no delta)."""
    ids, mask = batch(prep.rewrite_prompts, pad_id)
    with torch.no_grad():
        logits, _ = gpt2_ref.forward(model, ids, mask)
    return rewrite_nll(logits, prep, range(len(prep.rewrite_prompts)))
