#!/usr/bin/env python3
"""tune bench speed beside PyTorch on the corners of the searched space, per GEMM path.

    python Reports/speed/bench_corners.py --tune .build/release/tune --python /path/to/venv/bin/python \
        --kernels avx512,avx2 --threads 1,2 --rounds 1 --steps 5 --out Reports/speed/corners.csv

Shapes: NSL-KDD's features layout (C = 1, L = 122), variant x hidden {64, 256} x layers {1, 2} x
batch {32, 128} (issue 16's corners), plus the default shape (C = 6, L = 128, hidden 128, 1 layer,
batch 64). For each round, thread count, shape and kernels, tune runs with TUNE_GEMM=KERNELS and
then PyTorch (../shared/bench/torch_reference.py) on the same shape; for avx2 PyTorch is held to
the same instructions (ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2). One CSV row per pair,
with the one-minute load average when the pair started; --summary prints the Markdown table of
medians over rounds.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "bench", "torch_reference.py"))
FIELDS = ["round", "threads", "kernels", "variant", "channels", "seq", "hidden", "layers", "batch",
          "tune_train", "torch_train", "tune_infer", "torch_infer", "load"]


def shapes(which):
    """(variant, channels, seq, hidden, layers, batch) of the corners and the default shape."""
    result = []
    if which in ("all", "corners"):
        for variant in ["lstm", "bilstm", "attention"]:
            for hidden in [64, 256]:
                for layers in [1, 2]:
                    for batch in [32, 128]:
                        result.append((variant, 1, 122, hidden, layers, batch))
    if which in ("all", "default"):
        for variant in ["lstm", "bilstm", "attention"]:
            result.append((variant, 6, 128, 128, 1, 64))
    return result


def run_json(command, environment):
    """The last JSON line a benchmark command printed."""
    output = subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(arguments):
    rows = []
    for round_number in range(1, arguments.rounds + 1):
        for threads in [int(t) for t in arguments.threads.split(",")]:
            for shape in shapes(arguments.shapes):
                variant, channels, seq, hidden, layers, batch = shape
                for kernels in arguments.kernels.split(","):
                    common = ["--channels", str(channels), "--seq", str(seq), "--hidden", str(hidden),
                              "--layers", str(layers), "--batch", str(batch), "--steps", str(arguments.steps),
                              "--threads", str(threads)]
                    load = os.getloadavg()[0]
                    tune = run_json([arguments.tune, "bench", "speed", "--variant", variant] + common,
                                    dict(os.environ, TUNE_GEMM=kernels))
                    if tune["kernels"] != kernels:
                        sys.exit(f"tune ran {tune['kernels']}, not {kernels}")
                    torch_environment = dict(os.environ)
                    if kernels == "avx2":
                        torch_environment.update(ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2")
                    torch = run_json([arguments.python, REFERENCE, "--variant",
                                      "attn" if variant == "attention" else variant] + common, torch_environment)
                    row = dict(zip(FIELDS, [round_number, threads, kernels, variant, channels, seq, hidden, layers,
                                            batch, tune["train_samples_per_s"], torch["train_samples_per_s"],
                                            tune["infer_samples_per_s"], torch["infer_samples_per_s"],
                                            f"{load:.2f}"]))
                    rows.append(row)
                    print(", ".join(f"{k} {row[k]}" for k in FIELDS), file=sys.stderr, flush=True)
                    write(arguments.out, rows)
    return rows


def write(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def summary(path):
    """Markdown: medians over rounds of each (kernels, threads, shape), with the ratios."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    groups = {}
    for row in rows:
        key = tuple(row[k] for k in ["kernels", "threads", "variant", "channels", "seq", "hidden", "layers", "batch"])
        groups.setdefault(key, []).append(row)
    lines = ["| kernels | threads | variant | C x L | hidden | layers | batch | tune train | PyTorch train | ratio "
             "| tune infer | PyTorch infer | ratio | rounds |",
             "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, group in groups.items():
        def median(field):
            return statistics.median(float(r[field]) for r in group)
        kernels, threads, variant, channels, seq, hidden, layers, batch = key
        tt, pt, ti, pi = median("tune_train"), median("torch_train"), median("tune_infer"), median("torch_infer")
        lines.append(f"| {kernels} | {threads} | {variant} | {channels} x {seq} | {hidden} | {layers} | {batch} "
                     f"| {tt:,.0f} | {pt:,.0f} | {tt / pt:.2f}x | {ti:,.0f} | {pi:,.0f} | {ti / pi:.2f}x | {len(group)} |")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", default=".build/release/tune")
    parser.add_argument("--python", default=sys.executable, help="a Python with torch")
    parser.add_argument("--kernels", default="avx512,avx2")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--shapes", default="all", choices=["all", "corners", "default"])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--out", default=os.path.join(HERE, "corners.csv"))
    parser.add_argument("--summary", action="store_true", help="only print the table of an existing --out")
    arguments = parser.parse_args()
    if not arguments.summary:
        measure(arguments)
    summary(arguments.out)


if __name__ == "__main__":
    main()
