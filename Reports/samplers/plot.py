#!/usr/bin/env python3
"""Best value vs epochs spent, per method, from benchmark run CSVs.

    python Reports/samplers/plot.py --runs optuna-runs.csv tune-runs.csv --out-dir Reports/samplers

Each CSV has columns method,seed,trial,epochs_spent,best_value (one row per finished trial,
epochs_spent cumulative per run). Writes best-vs-epochs.svg and best-vs-epochs.md, and prints the
epochs each method needs to reach the value random search reaches at its full budget.
"""

import argparse
import csv
import math
import os
import sys
from collections import defaultdict

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BUDGETS = [27, 54, 108, 216, 405, 810, 1350, 2700]
RANDOM_METHODS = ["tune-random", "optuna-random"]


def load_runs(paths):
    """{method: {seed: [(epochs_spent, best_value), ...] in epochs order}} from the CSVs."""
    runs = defaultdict(lambda: defaultdict(list))
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                runs[r["method"]][int(r["seed"])].append(
                    (int(r["epochs_spent"]), float(r["best_value"])))
    for by_seed in runs.values():
        for rows in by_seed.values():
            rows.sort(key=lambda x: x[0])  # stable: rows of one epochs_spent keep file order
    return runs


def value_at(rows, budget):
    """Best value of a run within `budget` epochs; a run that ended earlier keeps its final best.

    NaN if the run's first finished trial came after the budget.
    """
    best = math.nan
    for spent, value in rows:
        if spent > budget:
            break
        best = value if math.isnan(best) else max(best, value)
    return best


def epochs_to_reach(rows, target):
    """Epochs spent when the run's best first reaches target (inf if never)."""
    for spent, value in rows:
        if value >= target:
            return spent
    return math.inf


def quartiles(values):
    """(median, q1, q3) of the finite values, NaNs if none."""
    v = np.asarray([x for x in values if not math.isnan(x)], dtype=float)
    if v.size == 0:
        return math.nan, math.nan, math.nan
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return float(med), float(q1), float(q3)


def method_order(methods):
    """Random baselines first, then the rest in name order."""
    return [m for m in RANDOM_METHODS if m in methods] + sorted(
        m for m in methods if m not in RANDOM_METHODS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", nargs="+", required=True, help="run CSVs")
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    runs = load_runs(args.runs)
    if not runs:
        sys.exit("no runs")
    methods = method_order(runs)
    max_spent = max(rows[-1][0] for by_seed in runs.values() for rows in by_seed.values())
    # Budgets past every run's end would only repeat final values; keep those reached.
    budgets = [b for b in BUDGETS if b <= max_spent] or BUDGETS[:1]

    stats = {m: [quartiles([value_at(rows, b) for rows in runs[m].values()]) for b in budgets]
             for m in methods}

    # Markdown table.
    os.makedirs(args.out_dir, exist_ok=True)
    md = ["Best val_f1_macro within an epoch budget: median (q1-q3) over seeds.", "",
          "| method | seeds | " + " | ".join(f"{b} ep" for b in budgets) + " |",
          "|---|---:|" + "---:|" * len(budgets)]
    for m in methods:
        cells = ["-" if math.isnan(med) else f"{med:.4f} ({q1:.4f}-{q3:.4f})"
                 for med, q1, q3 in stats[m]]
        md.append(f"| {m} | {len(runs[m])} | " + " | ".join(cells) + " |")
    md_path = os.path.join(args.out_dir, "best-vs-epochs.md")
    with open(md_path, "w") as f:
        f.write("\n".join(md) + "\n")

    # SVG plot: median line and quartile band per method, log-x epochs.
    plt.rcParams["svg.hashsalt"] = "best-vs-epochs"  # stable ids in the SVG
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for m in methods:
        med = np.array([s[0] for s in stats[m]])
        q1 = np.array([s[1] for s in stats[m]])
        q3 = np.array([s[2] for s in stats[m]])
        (line,) = ax.plot(budgets, med, marker="o", markersize=3.5, linewidth=1.8, label=m)
        ax.fill_between(budgets, q1, q3, color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xscale("log")
    ax.set_xticks(budgets)
    ax.set_xticklabels([str(b) for b in budgets])
    ax.minorticks_off()
    ax.set_xlabel("epochs spent")
    ax.set_ylabel("best val_f1_macro (median, quartile band)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    svg_path = os.path.join(args.out_dir, "best-vs-epochs.svg")
    fig.savefig(svg_path, format="svg", metadata={"Date": None})
    plt.close(fig)

    # Epochs to reach random search's median final value.
    ref = next((m for m in RANDOM_METHODS if m in runs), None)
    print(f"wrote {svg_path} and {md_path} (budgets {budgets})")
    if ref is None:
        print("no tune-random or optuna-random runs: no epochs-to-target summary")
        return
    target = float(np.median([rows[-1][1] for rows in runs[ref].values()]))
    ref_epochs = float(np.median([epochs_to_reach(rows, target) for rows in runs[ref].values()]))
    print(f"target: {target:.4f} = median over seeds of {ref}'s best at its full budget")
    print(f"{'method':<16} {'median epochs':>13} {'seeds reaching':>14} {'vs ' + ref:>20}")
    for m in methods:
        needs = [epochs_to_reach(rows, target) for rows in runs[m].values()]
        med = float(np.median(needs))  # inf if half the seeds or more never reach it
        reached = sum(math.isfinite(x) for x in needs)
        ratio = med / ref_epochs if math.isfinite(med) and ref_epochs > 0 else math.inf
        med_s = f"{med:.0f}" if math.isfinite(med) else "not reached"
        ratio_s = f"{ratio:.2f}x" if math.isfinite(ratio) else "-"
        print(f"{m:<16} {med_s:>13} {f'{reached}/{len(needs)}':>14} {ratio_s:>20}")


if __name__ == "__main__":
    main()
