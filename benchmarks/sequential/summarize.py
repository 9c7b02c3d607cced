"""The sequential README's table from run folders: python3 benchmarks/sequential/summarize.py RUN [RUN...].

Reads each RUN/journal.jsonl (the checksum after the tab is ignored) and prints one Markdown column per run."""

import json
import statistics
import sys


def records(run):
    with open(f"{run}/journal.jsonl", encoding="utf-8") as f:
        return [json.loads(line.rsplit("\t", 1)[0]) for line in f if line.strip()]


def column(run):
    rs = records(run)
    edits = [r for r in rs if r["kind"] == "edit"]
    evals = {r["after_edits"]: r for r in rs if r["kind"] == "evaluation"}
    m = [e["measurement"] for e in edits]
    largest = [max(x["edit_magnitude"].values()) for x in m]
    median = statistics.median(largest)
    worst = max(range(len(largest)), key=largest.__getitem__)
    entropy = [x["normalized_entropy"] for x in m]
    low = min(range(len(entropy)), key=entropy.__getitem__)
    marks = sorted(k for k in evals if k > 0 and evals[k]["forgetting"])
    forgetting = " / ".join(f"{evals[k]['forgetting']['es']:.1f}" for k in marks)
    final = evals[max(evals)]
    last = final["downstream"] or {}
    kept = final["forgetting"] or {}
    downstream = ", ".join(f"{t} {v['correct']}/{v['invalid']}" for t, v in sorted(last.items()))
    mean = lambda key: statistics.fmean(x[key] for x in m if x[key] == x[key])
    return {
        "edits applied": f"{sum(e['applied'] for e in edits)}",
        "flagged by the guard": f"{sum(bool(e['guard'] and e['guard']['disabling']) for e in edits)}",
        "mean ES / PS / NS right after each edit": f"{mean('es'):.3f} / {mean('ps'):.3f} / {mean('ns'):.3f}",
        "median \\|Δ\\| of an edit (largest layer)": f"{median:.3g}",
        "largest \\|Δ\\| (edit #)": f"{largest[worst]:.3g} (#{worst + 1})",
        "edits with \\|Δ\\| > 10× the median": f"{sum(x > 10 * median for x in largest)}",
        f"distance from the original after {len(edits)} (Σ ‖W−W₀‖_F / numel)": f"{sum(m[-1]['distance_from_original'].values()):.3g}",
        "lowest probe entropy (normalised, edit #)": f"{entropy[low]:.3f} (#{low + 1})",
        f"entropy after edit {len(edits)}": f"{entropy[-1]:.3f}",
        f"ES of all earlier edits after {' / '.join(map(str, marks))} (%)": forgetting,
        f"PS / NS of all earlier edits after {max(evals)} (%)": f"{kept.get('ps', float('nan')):.1f} / {kept.get('ns', float('nan')):.1f}",
        f"learnt edits (every target token the argmax right after) still correct after {max(evals)}": f"{kept.get('still_correct', 0)} of {kept.get('learnt', 0)}",
        f"downstream after {max(evals)} (correct/invalid of 200)": downstream,
        "seconds per edit (of which the method)": f"{statistics.fmean(e['seconds'] for e in edits):.2f} "
                                                  f"({statistics.fmean(e['compute_seconds'] for e in edits):.2f})",
    }


def main(runs):
    columns = [column(r) for r in runs]
    names = [r.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[-1] for r in runs]
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(runs))
    for row in columns[0]:
        print(f"| {row} | " + " | ".join(c.get(row, "") for c in columns) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
