#!/usr/bin/env python3
"""Build the learning-curve table of the tabular sampler benchmark from a study folder.

    python Reports/samplers/extract_curves.py STUDY_DIR OUT.csv [--append]

Reads STUDY_DIR/trials/N/run.json (the 7 parameters) and STUDY_DIR/trials/N/run/epochs.jsonl
(one JSON object per epoch), keeps the trials that have every epoch 1..27, and writes
trial,variant,lr,batch_size,lstm_hidden,lstm_layers,dropout,scaler,seconds_per_epoch,e1,...,e27
sorted by trial number (e_k = validation.f1_macro at epoch k).

With --append the rows already in OUT.csv stay first, and the study's complete trials whose
parameters are not among them follow, numbered on from the last row: so a table can be recorded
by several studies (another --seed each time), one session at a time.
"""

import csv
import json
import os
import sys

EPOCHS = 27
PARAMS = ["variant", "lr", "batch_size", "lstm_hidden", "lstm_layers", "dropout", "scaler"]
HEADER = ["trial"] + PARAMS + ["seconds_per_epoch"] + [f"e{k}" for k in range(1, EPOCHS + 1)]


def read_epochs(path):
    """Map epoch -> record from an epochs.jsonl (a later line for the same epoch wins)."""
    by_epoch = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:  # a line being written right now
                continue
            by_epoch[int(rec["epoch"])] = rec
    return by_epoch


def trial_row(trial_dir, number):
    """The CSV row of one trial, or None if it lacks run.json or any of the 27 epochs."""
    run_path = os.path.join(trial_dir, "run.json")
    epochs_path = os.path.join(trial_dir, "run", "epochs.jsonl")
    if not (os.path.isfile(run_path) and os.path.isfile(epochs_path)):
        return None
    with open(run_path) as f:
        run = json.load(f)
    epochs = read_epochs(epochs_path)
    if any(k not in epochs for k in range(1, EPOCHS + 1)):
        return None
    seconds = [float(epochs[k]["seconds"]) for k in range(1, EPOCHS + 1)]
    row = [number, run["variant"], repr(float(run["lr"])), int(run["batch_size"]),
           int(run["lstm_hidden"]), int(run["lstm_layers"]), repr(float(run["dropout"])),
           run["scaler"], f"{sum(seconds) / len(seconds):.3f}"]
    row += ["%.6g" % float(epochs[k]["validation"]["f1_macro"]) for k in range(1, EPOCHS + 1)]
    return row


def existing_rows(path):
    """The data rows of a table written before, or none when there is no such file."""
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        sys.exit(f"{path}: not a learning-curve table (its header differs)")
    return rows[1:]


def parameters_key(row):
    """A row's configuration (variant ... scaler), as text, to recognise one recorded twice."""
    return tuple(str(value) for value in row[1:1 + len(PARAMS)])


def main(argv):
    arguments = [a for a in argv[1:] if a != "--append"]
    if len(arguments) != 2:
        sys.exit(__doc__)
    study_dir, out_path = arguments
    trials_dir = os.path.join(study_dir, "trials")
    numbers = sorted(int(n) for n in os.listdir(trials_dir) if n.isdigit())
    recorded = [r for r in (trial_row(os.path.join(trials_dir, str(n)), n) for n in numbers) if r]
    rows = existing_rows(out_path) if "--append" in argv else []
    known = {parameters_key(r) for r in rows}
    added = 0
    for row in recorded:
        if parameters_key(row) in known:
            continue
        known.add(parameters_key(row))
        rows.append([len(rows)] + row[1:])
        added += 1
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"{out_path}: {len(rows)} rows ({added} new: {len(recorded)} of {len(numbers)} trials of "
          f"{study_dir} have all {EPOCHS} epochs)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
