#!/usr/bin/env python3
"""Optuna's side of the tabular sampler benchmark: samplers replayed on a learning-curve table.

    python Reports/samplers/optuna_tabular.py --table Reports/samplers/curves.csv \
        --seeds 20 --trials 100 --epoch-budget 2700 --sha-max-trials 300 \
        --out Reports/samplers/optuna-runs.csv

Every proposed configuration is mapped to its nearest table row (nearest_row below; the Swift
side implements the same rule) and "trained" by reading that row's epoch values.
Methods (sequential, n_jobs=1, one study per method and seed):
  optuna-tpe      TPESampler(seed=seed), defaults; every trial reports epochs 1..27.
  optuna-tpe-sha  the same + SuccessiveHalvingPruner(min_resource=1, reduction_factor=3,
                  min_early_stopping_rate=0); trials until the epoch budget or the trial cap.
  optuna-random   RandomSampler(seed=seed), every trial reports epochs 1..27.
Output: method,seed,trial,epochs_spent,best_value, one row per finished (complete or pruned)
trial; epochs_spent is cumulative in the run, best_value the best epoch value reported so far.
"""

import argparse
import csv
import math
import sys
import time

import optuna

EPOCHS = 27
CATEGORICAL = ["variant", "batch_size", "lstm_hidden", "scaler"]
LN_LR_RANGE = math.log(100.0)  # ln(1e-2 / 1e-4)
DROPOUT_RANGE = 0.5
METHODS = ["optuna-tpe", "optuna-tpe-sha", "optuna-random"]


def load_table(path):
    """Rows of curves.csv as dicts with typed parameters, 'ln_lr' and 'curve' (27 floats)."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.append({
                "trial": int(r["trial"]), "variant": r["variant"], "lr": float(r["lr"]),
                "ln_lr": math.log(float(r["lr"])), "batch_size": int(r["batch_size"]),
                "lstm_hidden": int(r["lstm_hidden"]), "lstm_layers": int(r["lstm_layers"]),
                "dropout": float(r["dropout"]), "scaler": r["scaler"],
                "curve": [float(r[f"e{k}"]) for k in range(1, EPOCHS + 1)],
            })
    if not rows:
        sys.exit(f"{path}: no rows")
    return rows


def nearest_row(table, config):
    """Index of the table row nearest to config (a dict of the 7 parameters).

    distance = (number of mismatches among variant, batch_size, lstm_hidden, scaler)
             + |layers_a - layers_b|
             + |ln lr_a - ln lr_b| / ln(100)
             + |dropout_a - dropout_b| / 0.5
    summed left to right in doubles; ties go to the lowest row index (table order).
    """
    ln_lr = math.log(config["lr"])
    best_i, best_d = 0, math.inf
    for i, row in enumerate(table):
        d = float(sum(config[k] != row[k] for k in CATEGORICAL))
        d += abs(config["lstm_layers"] - row["lstm_layers"])
        d += abs(ln_lr - row["ln_lr"]) / LN_LR_RANGE
        d += abs(config["dropout"] - row["dropout"]) / DROPOUT_RANGE
        if d < best_d:  # strict: an equal distance keeps the earlier row
            best_i, best_d = i, d
    return best_i


def suggest(trial):
    """The benchmark's search space (Searches/nsl-kdd.json, as in curves-search.json)."""
    return {
        "variant": trial.suggest_categorical("variant", ["lstm", "bilstm", "attention"]),
        "lr": trial.suggest_float("lr", 1e-4, 1e-2, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [32, 64, 128]),
        "lstm_hidden": trial.suggest_categorical("lstm_hidden", [64, 128, 256]),
        "lstm_layers": trial.suggest_int("lstm_layers", 1, 2),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
        "scaler": trial.suggest_categorical(
            "scaler", ["log-standard", "standard", "robust", "minmax"]),
    }


def run_one(table, method, seed, n_trials, epoch_budget, sha_max_trials, min_resource=1):
    """One run of a method with a seed; returns its output rows."""
    if method == "optuna-random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
    pruned = method.endswith("-sha")
    pruner = (optuna.pruners.SuccessiveHalvingPruner(
        min_resource=min_resource, reduction_factor=3, min_early_stopping_rate=0)
        if pruned else optuna.pruners.NopPruner())
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    state = {"spent": 0, "best": -math.inf}
    rows = []

    def objective(trial):
        # Pruned runs stop the last trial where the epoch budget runs out (reported as pruned).
        curve = table[nearest_row(table, suggest(trial))]["curve"]
        for epoch in range(1, EPOCHS + 1):
            value = curve[epoch - 1]
            trial.report(value, epoch)
            state["spent"] += 1
            state["best"] = max(state["best"], value)
            if pruned and (trial.should_prune()
                           or (state["spent"] >= epoch_budget and epoch < EPOCHS)):
                raise optuna.TrialPruned()
        return curve[-1]

    max_trials = sha_max_trials if pruned else n_trials
    for _ in range(max_trials):
        if pruned and state["spent"] >= epoch_budget:
            break
        trial = study.ask()
        try:
            value = objective(trial)
            study.tell(trial, value)
        except optuna.TrialPruned:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        rows.append([method, seed, trial.number, state["spent"], repr(state["best"])])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--table", required=True, help="curves.csv from extract_curves.py")
    ap.add_argument("--seeds", type=int, default=20, help="seeds 0..SEEDS-1")
    ap.add_argument("--trials", type=int, default=100, help="trials of full-budget methods")
    ap.add_argument("--epoch-budget", type=int, default=None,
                    help="epoch budget of -sha methods (default 27 x --trials, i.e. 2700)")
    ap.add_argument("--sha-max-trials", type=int, default=None,
                    help="trial cap of -sha methods (default 3 x --trials, i.e. 300)")
    ap.add_argument("--min-resource", type=int, default=1,
                    help="SuccessiveHalvingPruner's min_resource (first rung, epochs) of -sha methods")
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    epoch_budget = args.epoch_budget if args.epoch_budget is not None else EPOCHS * args.trials
    sha_max = args.sha_max_trials if args.sha_max_trials is not None else 3 * args.trials
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in METHODS:
            sys.exit(f"unknown method {m}; known: {', '.join(METHODS)}")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    table = load_table(args.table)
    print(f"optuna {optuna.__version__}; table {args.table}: {len(table)} rows; "
          f"{args.trials} trials full-budget; -sha: {epoch_budget} epochs or {sha_max} trials",
          file=sys.stderr)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["method", "seed", "trial", "epochs_spent", "best_value"])
        for method in methods:
            t0 = time.perf_counter()
            for seed in range(args.seeds):
                rows = run_one(table, method, seed, args.trials, epoch_budget, sha_max, args.min_resource)
                w.writerows(rows)
            print(f"{method}: {args.seeds} seeds in {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
