#!/usr/bin/env python3
"""Checks torch_detect.py's pipeline and model against `tune predict` (run with the torch venv).

usage: tune predict --model M --input FLOWS.csv --output preds.csv
       python compare_predict.py --model M --input FLOWS.csv --predictions preds.csv [--detect-output D.jsonl]

Scores FLOWS.csv with torch_detect.py's code (one batch, full float32 precision) and prints the
largest |p_torch - p_tune| over every class and row that `tune predict` scored, matched by line
number, plus how many predicted classes differ. tune writes six decimals, so differences below
about 5e-7 are tune's rounding. With --detect-output (the stdout of torch_detect.py or of
`tune detect` on the same file) its six-decimal probabilities are compared with tune predict too.
"""
import argparse
import csv
import json
import re
import sys

import numpy as np
import torch

import torch_detect


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--predictions", required=True, help="tune predict's --output CSV for the same --input")
    p.add_argument("--detect-output", help="JSON lines of a detector run on the same input")
    a = p.parse_args()
    torch.set_num_threads(1)
    model, _, pipeline = torch_detect.load_model(a.model)

    class Args:
        max_batch = 1 << 30
        max_delay = 1e9
        stats_interval = 0
    detector = torch_detect.Detector(model, pipeline, Args, "file")
    with open(a.input, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    detector.accept_line(1, lines[0], 0.0)
    batch = [(number, text, 0.0) for number, text in enumerate(lines[1:], start=2) if text.strip()]
    kept, numbers, categories, _ = detector.parse(batch)
    x = torch.from_numpy(detector.encoder.scale(numbers, categories)).unsqueeze(1)
    with torch.no_grad():
        probabilities = torch.softmax(model(x), dim=1).numpy().astype(np.float64)
    ours = {number: probabilities[i] for i, (number, _, _) in enumerate(kept)}

    classes = pipeline["classNames"]
    tune = {}
    with open(a.predictions, newline="") as f:
        for row in csv.DictReader(f):
            number = int(re.search(r"line (\d+)$", row["origin"]).group(1))
            tune[number] = (row["predicted"], np.array([float(row[f"p_{c}"]) for c in classes]))
    common = sorted(set(ours) & set(tune))
    difference = max(float(np.abs(ours[n] - tune[n][1]).max()) for n in common)
    flips = sum(classes[int(np.argmax(ours[n]))] != tune[n][0] for n in common)
    print(f"rows: torch {len(ours)}, tune predict {len(tune)}, both {len(common)}; "
          f"only torch {len(set(ours) - set(tune))}, only tune {len(set(tune) - set(ours))}")
    print(f"max |p_torch(float32) - p_tune_predict(6 decimals)| = {difference:.3g}; predicted class differs on {flips} rows")
    if a.detect_output:
        detected = {}
        with open(a.detect_output) as f:
            for line in f:
                event = json.loads(line)["tune"]
                number = int(re.search(r"line (\d+)$", event["source"]).group(1))
                detected[number] = np.array([event["probabilities"][c] for c in classes])
        both = sorted(set(detected) & set(tune))
        difference = max(float(np.abs(detected[n] - tune[n][1]).max()) for n in both) if both else float("nan")
        print(f"{a.detect_output}: {len(detected)} lines, {len(both)} matched; "
              f"max |p_detect - p_tune_predict| (both 6 decimals) = {difference:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
