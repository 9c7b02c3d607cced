"""What a side-by-side benchmark ran on, and its closing ratio lines; shared by benchmarks/*/side_by_side.py.

At the start: the CPU (lscpu's model name, family and model from /proc/cpuinfo), the load, and the vector path of
each side: ours as the C# side reports it (MachineInfo.Describe: "vector-path" on a server's line protocol, or the
one-shot `RawEdit.Benchmarks vector-path`), the peer's as the OpenBLAS core torch's BLAS runs.
At the end: one line per workload, `ratio <workload> ours/peer <x>`, x the TIME ratio (lower is better for us).
"""
import ctypes
import os
import subprocess


def cpu_model():
    """'AMD EPYC (cpu family 25, model 17), 2 CPUs', from lscpu and /proc/cpuinfo."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        name = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name:")), "?")
    except (OSError, subprocess.CalledProcessError):
        name = "?"
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    return f"{name} (cpu family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}), {os.cpu_count()} CPUs"


def openblas_core():
    """OpenBLAS's build configuration and the core (kernel set) it picked at run time, or 'unknown'."""
    for lib in ("libopenblas.so.0", "libblas.so.3"):
        try:
            h = ctypes.CDLL(lib)
            h.openblas_get_corename.restype = ctypes.c_char_p
            h.openblas_get_config.restype = ctypes.c_char_p
            return f"{h.openblas_get_config().decode()} core={h.openblas_get_corename().decode()}"
        except (OSError, AttributeError):
            continue
    return "unknown"


def print_machine(ours_vector_path):
    """The machine lines; ours_vector_path is what the C# side answered to "vector-path"."""
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"machine: {cpu_model()}; load average {load}")
    print(f"vector path: ours {ours_vector_path}; peer OpenBLAS {openblas_core()}", flush=True)


def print_ratio(workload, ours_seconds, peer_seconds):
    """`ratio <workload> ours/peer <x>` with x = our time / the peer's time (workload names have no spaces)."""
    print(f"ratio {workload.replace(' ', '_')} ours/peer {ours_seconds / peer_seconds:.3f}", flush=True)
