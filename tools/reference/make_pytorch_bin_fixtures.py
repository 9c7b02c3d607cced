"""Write the PyTorch `.bin` fixtures for RawEdit's restricted unpickler, with torch.save itself.

Output: tests/RawEdit.Tests/Models/Checkpoints/Fixtures/pytorch/
  gpt2-f32/       config.json + pytorch_model.bin: a tiny GPT-2 state dict as GPT2LMHeadModel.state_dict()
                  gives it (transformer.-prefixed, h.N.attn.bias / masked_bias buffers, lm_head.weight
                  sharing wte's storage).
  gpt2-f16/       the same model in float16.
  gptj-f32/, gptj-f16/  a tiny GPT-J state dict (attn.bias BOOL buffers, untied lm_head with bias).
  gptj-f16-sharded/     the f16 GPT-J split over two files + pytorch_model.bin.index.json (HF's form).
  views.bin       tensors that are views: a transpose (non-contiguous strides), a slice with a storage
                  offset, and two tensors sharing one storage.
  malicious-os-system.bin  an object whose __reduce__ calls os.system (pickled as posix.system).
Each .bin has a twin <file>.expected.safetensors (written by safetensors_io from the same numpy
values, not through torch's pickler) that the C# tests compare against.

Run: /usr/bin/python3 tools/reference/make_pytorch_bin_fixtures.py   (torch 1.13, Debian)
"""

import collections
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_io  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "tests", "RawEdit.Tests", "Models", "Checkpoints", "Fixtures", "pytorch")

C, LAYERS, HEADS, VOCAB, POS = 8, 2, 2, 32, 8


def gpt2_config():
    return {"model_type": "gpt2", "n_embd": C, "n_layer": LAYERS, "n_head": HEADS, "n_positions": POS,
            "vocab_size": VOCAB, "bos_token_id": VOCAB - 1, "eos_token_id": VOCAB - 1, "n_inner": None,
            "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5}


def gptj_config():
    return {"model_type": "gptj", "n_embd": C, "n_layer": LAYERS, "n_head": HEADS, "n_positions": POS,
            "rotary_dim": 2, "vocab_size": VOCAB, "bos_token_id": VOCAB - 1, "eos_token_id": VOCAB - 1,
            "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
            "tie_word_embeddings": False}


def gpt2_state(rng):
    n = lambda *s: torch.from_numpy((0.1 * rng.standard_normal(s)).astype(np.float32))  # noqa: E731
    sd = collections.OrderedDict()
    sd["transformer.wte.weight"] = n(VOCAB, C)
    sd["transformer.wpe.weight"] = n(POS, C)
    for i in range(LAYERS):
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"] = 1 + n(C)
        sd[p + "ln_1.bias"] = n(C)
        sd[p + "attn.bias"] = torch.tril(torch.ones(POS, POS)).view(1, 1, POS, POS)
        sd[p + "attn.masked_bias"] = torch.tensor(-1e4)
        sd[p + "attn.c_attn.weight"] = n(C, 3 * C)
        sd[p + "attn.c_attn.bias"] = n(3 * C)
        sd[p + "attn.c_proj.weight"] = n(C, C)
        sd[p + "attn.c_proj.bias"] = n(C)
        sd[p + "ln_2.weight"] = 1 + n(C)
        sd[p + "ln_2.bias"] = n(C)
        sd[p + "mlp.c_fc.weight"] = n(C, 4 * C)
        sd[p + "mlp.c_fc.bias"] = n(4 * C)
        sd[p + "mlp.c_proj.weight"] = n(4 * C, C)
        sd[p + "mlp.c_proj.bias"] = n(C)
    sd["transformer.ln_f.weight"] = 1 + n(C)
    sd["transformer.ln_f.bias"] = n(C)
    sd["lm_head.weight"] = sd["transformer.wte.weight"]  # tied: one storage, as in state_dict()
    return sd


def gptj_state(rng):
    n = lambda *s: torch.from_numpy((0.1 * rng.standard_normal(s)).astype(np.float32))  # noqa: E731
    sd = collections.OrderedDict()
    sd["transformer.wte.weight"] = n(VOCAB, C)
    for i in range(LAYERS):
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"] = 1 + n(C)
        sd[p + "ln_1.bias"] = n(C)
        sd[p + "attn.bias"] = torch.tril(torch.ones(POS, POS, dtype=torch.bool)).view(1, 1, POS, POS)
        sd[p + "attn.masked_bias"] = torch.tensor(-1e9)
        for proj in ("k_proj", "v_proj", "q_proj", "out_proj"):
            sd[p + f"attn.{proj}.weight"] = n(C, C)
        sd[p + "mlp.fc_in.weight"] = n(4 * C, C)
        sd[p + "mlp.fc_in.bias"] = n(4 * C)
        sd[p + "mlp.fc_out.weight"] = n(C, 4 * C)
        sd[p + "mlp.fc_out.bias"] = n(C)
    sd["transformer.ln_f.weight"] = 1 + n(C)
    sd["transformer.ln_f.bias"] = n(C)
    sd["lm_head.weight"] = n(VOCAB, C)
    sd["lm_head.bias"] = n(VOCAB)
    return sd


def half(sd):
    """Floating tensors to float16 (buffers too, as model.half() does); shared storages stay shared."""
    out, seen = collections.OrderedDict(), {}
    for k, v in sd.items():
        if not v.is_floating_point():
            out[k] = v
            continue
        key = (v.data_ptr(), tuple(v.shape))
        if key not in seen:
            seen[key] = v.half()
        out[k] = seen[key]
    return out


def expected(sd):
    """The values as numpy, in the stored dtype (bool as BOOL, float16 as F16)."""
    return {k: v.detach().contiguous().numpy().copy() for k, v in sd.items()}


def save(sd, path):
    torch.save(sd, path)
    safetensors_io.write(path + ".expected.safetensors", expected(sd), {"producer": "make_pytorch_bin_fixtures.py"})


def new_folder(name, config):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    return folder


def model_folder(name, config, sd):
    save(sd, os.path.join(new_folder(name, config), "pytorch_model.bin"))


def sharded_folder(name, config, sd):
    """HF's sharded form: pytorch_model-0000K-of-00002.bin + pytorch_model.bin.index.json."""
    folder = new_folder(name, config)
    keys = list(sd)
    halves = [keys[: len(keys) // 2], keys[len(keys) // 2:]]
    weight_map = {}
    for i, part in enumerate(halves):
        shard = f"pytorch_model-{i + 1:05d}-of-00002.bin"
        torch.save(collections.OrderedDict((k, sd[k]) for k in part), os.path.join(folder, shard))
        weight_map.update({k: shard for k in part})
    total = sum(v.numel() * v.element_size() for v in sd.values())
    with open(os.path.join(folder, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")
    safetensors_io.write(os.path.join(folder, "expected.safetensors"), expected(sd),
                         {"producer": "make_pytorch_bin_fixtures.py"})


class RunsACommand:
    def __reduce__(self):
        return (os.system, ("touch /tmp/rawedit-pickle-was-executed",))


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    gpt2 = gpt2_state(np.random.Generator(np.random.PCG64(31)))
    gptj = gptj_state(np.random.Generator(np.random.PCG64(32)))
    model_folder("gpt2-f32", gpt2_config(), gpt2)
    model_folder("gpt2-f16", gpt2_config(), half(gpt2))
    model_folder("gptj-f32", gptj_config(), gptj)
    model_folder("gptj-f16", gptj_config(), half(gptj))
    sharded_folder("gptj-f16-sharded", gptj_config(), half(gptj))

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = collections.OrderedDict()
    views["transposed"] = base.t()                 # [6, 4], strides (1, 6)
    views["row_slice"] = base[1:3]                 # storage offset 6
    views["column_slice"] = base[:, 2:5]           # offset 2, strides (6, 1)
    views["base"] = base
    views["bf16"] = torch.tensor([1.5, -2.25, 3.0e-3], dtype=torch.bfloat16)
    torch.save(views, os.path.join(OUT, "views.bin"))
    exp = {k: v.contiguous().float().numpy().copy() for k, v in views.items()}
    safetensors_io.write(os.path.join(OUT, "views.bin.expected.safetensors"), exp, {"producer": "make_pytorch_bin_fixtures.py"})

    torch.save({"weight": torch.zeros(2), "payload": RunsACommand()}, os.path.join(OUT, "malicious-os-system.bin"))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
