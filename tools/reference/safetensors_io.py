"""Minimal safetensors reader/writer built on numpy (no `safetensors` package).

File layout:
    u64 little-endian N | N bytes of UTF-8 JSON header | raw tensor bytes
Header: {name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
plus an optional "__metadata__" {str: str}. Offsets are relative to the first
byte after the header. All data is little-endian, C order.

The writer is deterministic: tensors are laid out sorted by name, the JSON is
written with sorted keys and no extra whitespace, and the header is padded
with spaces to a multiple of 8 bytes.
"""

import json
import struct

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


def read(path):
    """Return (tensors: dict name -> np.ndarray, metadata: dict or None)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        dt = info["dtype"]
        if dt == "BF16":
            b, e = info["data_offsets"]
            raw = np.frombuffer(blob, dtype="<u2", count=(e - b) // 2, offset=base + b)
            arr = (raw.astype(np.uint32) << 16).view(np.float32)
        else:
            if dt not in _DTYPES:
                raise ValueError(f"{path}: unsupported dtype {dt} for {name}")
            b, e = info["data_offsets"]
            np_dt = _DTYPES[dt]
            count = (e - b) // np_dt.itemsize
            arr = np.frombuffer(blob, dtype=np_dt, count=count, offset=base + b)
        shape = tuple(info["shape"])
        if int(np.prod(shape, dtype=np.int64)) != arr.size:
            raise ValueError(f"{path}: {name} shape {shape} does not match {arr.size} elements")
        out[name] = arr.reshape(shape).copy()
    return out, meta


def write(path, tensors, metadata=None):
    """Write dict name -> np.ndarray. Arrays keep their dtype (must be in _DTYPES)."""
    names = sorted(tensors)
    header = {}
    chunks = []
    offset = 0
    for name in names:
        arr = np.asarray(tensors[name])
        code = next((k for k, v in _DTYPES.items() if arr.dtype == v), None)
        if code is None:
            raise ValueError(f"unsupported dtype {arr.dtype} for {name}")
        data = np.ascontiguousarray(arr, dtype=_DTYPES[code]).tobytes()
        header[name] = {
            "dtype": code,
            "shape": [int(s) for s in arr.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hjson = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for c in chunks:
            f.write(c)
