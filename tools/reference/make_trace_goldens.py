"""Goldens for causal tracing: tests/RawEdit.Tests/Goldens/trace-random/{goldens.safetensors, manifest.json}.

For the random GPT-2 and GPT-J checkpoints of gpt2-random / gptj-random: one prompt of random ids, a subject span,
S noise draws passed in explicitly (stored, so the C# side adds the very same noise), and the restored probabilities
of every (kind, token, layer) from trace_ref.py, in float64, stored as float32. The target is the clean prediction.

Run: /usr/bin/python3 tools/reference/make_trace_goldens.py
"""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_ref  # noqa: E402
import gptj_ref  # noqa: E402
import safetensors_io  # noqa: E402
import trace_ref  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
GOLDENS = os.path.join(REPO, "tests", "RawEdit.Tests", "Goldens")
CASES = [("gpt2-random", "gpt2", gpt2_ref), ("gptj-random", "gptj", gptj_ref)]
SAMPLES, WINDOW, SUBJECT, TOKENS, SEED = 3, 3, (2, 5), 9, 20260120


def main():
    torch.set_num_threads(1)
    tensors, cases = {}, {}
    for index, (name, arch, module) in enumerate(CASES):
        model = module.load(os.path.join(GOLDENS, name)).to(torch.float64)
        rng = np.random.Generator(np.random.PCG64(SEED + index))
        vocab = model.cfg.vocab_size
        ids = [int(v) for v in rng.integers(0, vocab - 1, TOKENS)]
        subject_ids = [[int(v) for v in rng.integers(0, vocab - 1, n)] for n in (3, 1, 4)]
        std = trace_ref.embedding_std(model, arch, subject_ids)
        noise = (3 * std * rng.standard_normal((SAMPLES, SUBJECT[1] - SUBJECT[0], model.cfg.n_embd))).astype(np.float32)
        batch = torch.tensor([ids], dtype=torch.long)
        with torch.no_grad():
            target = int(trace_ref.run(model, arch, batch, lambda site, layer, x: x)[0, -1].argmax())
        result = trace_ref.trace(model, arch, ids, SUBJECT, torch.from_numpy(noise).to(torch.float64), target, WINDOW)
        tensors[f"{name}.noise"] = noise
        for kind in trace_ref.KIND_SITES:
            tensors[f"{name}.{kind}"] = np.array(result[kind], dtype=np.float32)
        cases[name] = {"input_ids": ids, "subject": list(SUBJECT), "target": target, "subject_ids": subject_ids,
                       "embedding_std": std, "clean": result["clean"], "corrupted": result["corrupted"]}
        print(f"{name}: target {target}, clean {result['clean']:.5f}, corrupted {result['corrupted']:.5f}")
    folder = os.path.join(GOLDENS, "trace-random")
    os.makedirs(folder, exist_ok=True)
    safetensors_io.write(os.path.join(folder, "goldens.safetensors"), tensors, {"format": "pt", "producer": "tools/reference/make_trace_goldens.py"})
    manifest = {
        "cases": cases, "samples": SAMPLES, "window": WINDOW, "torch_version": torch.__version__, "numpy_version": np.__version__,
        "definitions": {
            "{model}.noise": "[S, n, C] float32 noise = 3 * embedding_std * N(0, 1), numpy PCG64(seed + case index); added to "
                             "wte[ids] of the subject tokens [subject[0], subject[1]) in corrupted copy s",
            "{model}.{hidden,mlp,attn}": "[T, L] mean over the S corrupted copies of p(target | prompt) with, at token t, the "
                                         "block output of layer l (hidden) or the MLP / attention outputs of the window of "
                                         "layers range(max(0, l - w // 2), min(L, l - (-w // 2))) set to the clean copy's",
            "clean / corrupted": "p(target) of the clean copy / mean over the corrupted copies with nothing restored",
            "embedding_std": "sample std (n - 1) of all entries of wte[subject_ids[i]] over every i",
            "target": "argmax of the clean logits at the last token",
        },
        "seed": SEED,
    }
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
