"""The diagnosis tables of the sequential README from ROME-mode runs: python3 benchmarks/sequential/diagnose.py RUN [RUN...].

Reads each RUN/journal.jsonl (every edit's RomeDiagnosis figures, the checksum after the tab ignored) and prints, per
run, Markdown rows of block medians per 100 edits and one line of whole-run figures:
  |Δ| (largest layer), numerator ‖v* − v_current‖ = ‖r‖·denominator, ‖δ‖, ‖v_s − v̄‖ = ‖W(k_s − k̄)‖, the denominator
  (u·k_s for rome and p-rome, u·k̄ for r-rome), u·k_s / u·k̄, the key shift ‖k_s − k̄‖/‖k̄‖, the distance from W₀ after
  the edit, ‖v_s − v̄‖ over the distance before it, the miss at k_s, the value optimisation's last loss, ES right after;
then the denominator's distribution and how log |Δ| follows log numerator and log denominator.

MEMIT-family runs (memit, emmet, alphaedit: one request per edit, ΔW_L = r_L ⊗ u_L per layer L, ‖ΔW_L‖_F = ‖r_L‖·‖u_L‖)
get the same block medians of what their updates are made of instead: ‖δ‖ and the z optimisation's last loss, and per
layer |Δ|, the key ‖k_L‖, the adjusted key ‖u_L‖ (the solve's division) and the spread residual ‖r_L‖."""

import json
import math
import statistics
import sys

from summarize import records

BLOCK = 100


def edits_of(run):
    return [r for r in records(run) if r["kind"] == "edit"]


def magnitude(e):
    return max(e["measurement"]["edit_magnitude"].values())


def distance(e):
    return sum(e["measurement"]["distance_from_original"].values())


def correlation(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


def memit_layers(edits):
    names = edits[0]["method_figures"]
    return sorted(int(k.rsplit("_", 1)[1]) for k in names if k.startswith("key_norm_layer_"))


def memit_rows(edits):
    f = lambda e: e["method_figures"]
    table = {
        "\\|Δ\\| (largest layer)": [magnitude(e) for e in edits],
        "‖δ‖ (z optimisation)": [f(e)["delta_norm"] for e in edits],
        "z optimisation's last loss": [f(e)["loss_last"] for e in edits],
        "\\|Δ\\| / ‖δ‖ (the solve's gain)": [magnitude(e) / f(e)["delta_norm"] for e in edits],
    }
    for layer in memit_layers(edits):
        table[f"\\|Δ\\|, layer {layer}"] = [f(e)[f"delta_magnitude_layer_{layer}"] for e in edits]
        table[f"key ‖k‖, layer {layer}"] = [f(e)[f"key_norm_layer_{layer}"] for e in edits]
        table[f"adjusted key ‖u‖, layer {layer}"] = [f(e)[f"adjusted_key_norm_layer_{layer}"] for e in edits]
        table[f"spread residual ‖r‖, layer {layer}"] = [f(e)[f"residual_norm_layer_{layer}"] for e in edits]
    table["distance from W₀ after the edit"] = [distance(e) for e in edits]
    table["ES right after the edit (mean)"] = [e["measurement"]["es"] for e in edits]
    return table


def is_memit_family(edits):
    return "denominator" not in edits[0]["method_figures"] and bool(memit_layers(edits))


def rows(edits):
    if is_memit_family(edits):
        return memit_rows(edits)
    f = lambda e: e["method_figures"]
    before = [float("nan")] + [distance(e) for e in edits[:-1]]
    return {
        "\\|Δ\\|": [magnitude(e) for e in edits],
        "numerator ‖v* − v_current‖": [f(e)["r_norm"] * f(e)["denominator"] for e in edits],
        "‖δ‖": [f(e)["delta_norm"] for e in edits],
        "‖v_s − v̄‖ = ‖W(k_s − k̄)‖": [f(e)["value_shift"] for e in edits],
        "denominator": [f(e)["denominator"] for e in edits],
        "u·k_s / u·k̄": [f(e)["denominator_ratio"] for e in edits],
        "key shift ‖k_s − k̄‖/‖k̄‖": [f(e)["key_shift"] for e in edits],
        "distance from W₀ after the edit": [distance(e) for e in edits],
        "‖v_s − v̄‖ / distance before": [f(e)["value_shift"] / d if d > 0 else float("nan") for e, d in zip(edits, before)],
        "miss at k_s ‖(W + ΔW)k_s − v*‖": [f(e)["miss_at_k_s"] for e in edits],
        "value optimisation's last loss": [f(e)["loss_last"] for e in edits],
        "ES right after the edit (mean)": [e["measurement"]["es"] for e in edits],
    }


def block_table(run):
    edits = edits_of(run)
    blocks = [(a, min(a + BLOCK, len(edits))) for a in range(0, len(edits), BLOCK)]
    print(f"\n{run} ({len(edits)} edits), block medians:\n")
    print("| edits | " + " | ".join(f"{a + 1}–{b}" for a, b in blocks) + " |")
    print("|---|" + "---:|" * len(blocks))
    for name, values in rows(edits).items():
        agg = statistics.fmean if name.endswith("(mean)") else statistics.median
        cells = []
        for a, b in blocks:
            xs = [x for x in values[a:b] if x == x]
            cells.append(f"{agg(xs):.3g}" if xs else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")
    return edits


def whole_run(run, edits):
    f = lambda e: e["method_figures"]
    flagged = [i for i, e in enumerate(edits) if e["guard"] and e["guard"]["disabling"]]
    if is_memit_family(edits):
        largest = max(range(len(edits)), key=lambda i: magnitude(edits[i]))
        print(f"\nwhole run: flagged {len(flagged)}" + (f" (first #{flagged[0] + 1})" if flagged else "")
              + f"; largest |Δ| {magnitude(edits[largest]):.3g} (#{largest + 1}); final distance {distance(edits[-1]):.3g}")
        return
    denominators = sorted(f(e)["denominator"] for e in edits)
    q = lambda p: denominators[min(len(denominators) - 1, int(p * len(denominators)))]
    smallest = min(range(len(edits)), key=lambda i: f(edits[i])["denominator"])
    # An edit whose target already wins makes no update (δ = 0): it has no logarithm and is left out of the fits.
    updated = [e for e in edits if magnitude(e) > 0]
    log_mag = [math.log(magnitude(e)) for e in updated]
    log_num = [math.log(f(e)["r_norm"] * f(e)["denominator"]) for e in updated]
    log_den = [math.log(f(e)["denominator"]) for e in updated]
    print(f"\nwhole run: denominator 5 / 50 / 95 % {q(0.05):.3g} / {q(0.5):.3g} / {q(0.95):.3g}, smallest "
          f"{denominators[0]:.3g} (#{smallest + 1}); corr(log |Δ|, log numerator) {correlation(log_mag, log_num):.2f}, "
          f"corr(log |Δ|, log denominator) {correlation(log_mag, log_den):.2f}"
          + (f" ({len(edits) - len(updated)} edit(s) without an update left out)" if len(updated) < len(edits) else "")
          + f"; flagged {len(flagged)}"
          + (f" (first #{flagged[0] + 1})" if flagged else "")
          + f"; largest |Δ| {max(magnitude(e) for e in edits):.3g}; final distance {distance(edits[-1]):.3g}")


if __name__ == "__main__":
    for run in sys.argv[1:]:
        whole_run(run, block_table(run))
