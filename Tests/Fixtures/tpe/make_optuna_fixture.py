#!/usr/bin/env python3
"""Write optuna-tpe.json: Optuna's own TPE numbers for the Swift re-implementation to match.

Run from anywhere with a Python that has optuna + numpy (e.g. /tmp/optenv/bin/python):

    python Tests/Fixtures/tpe/make_optuna_fixture.py

Each case builds a study from hand-made trials (study.add_trial + create_trial), then calls the
same internals as the installed TPESampler._sample: _split_trials with default_gamma(n),
_build_parzen_estimator for the below and above sets, mpe_below.sample(rng, 24) with a fresh
numpy RandomState(case seed) per group, and log_pdf of both estimators on those candidates.
Candidates are written in external representation (categorical = the choice itself, int = int).

Ties: the bandwidth of each observation comes from np.argsort of the observations, whose default
(introsort, or SIMD sorting networks on CPUs that have them) orders equal values in a way that
depends on the CPU; among equal values of a joint (multivariate) estimator that changes which
trial's kernel gets which bandwidth. tune breaks such ties by trial number, so this script runs
Optuna with a stable argsort (equal values in trial order), which is Optuna's algorithm with
that one tie rule fixed.
"""

import json
import math
import os
import sys

import numpy as np

_unstable_argsort = np.argsort


def _stable_argsort(a, axis=-1, kind=None, order=None, **kwargs):
    return _unstable_argsort(a, axis=axis, kind="stable", order=order, **kwargs)


np.argsort = _stable_argsort  # before Optuna binds anything (see "Ties" above)

import optuna  # noqa: E402
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe import _truncnorm
from optuna.samplers._tpe.sampler import _split_trials, default_gamma
from optuna.search_space import IntersectionSearchSpace
from optuna.trial import TrialState

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optuna-tpe.json")
N_EI_CANDIDATES = 24

# The 7-parameter space of the fixture, as (json description, Optuna distribution).
SPACE = {
    "lr": ({"type": "float", "low": 1e-4, "high": 1e-2, "log": True},
           FloatDistribution(1e-4, 1e-2, log=True)),
    "dropout": ({"type": "float", "low": 0.0, "high": 0.5}, FloatDistribution(0.0, 0.5)),
    "momentum": ({"type": "float", "low": 0.1, "high": 0.9, "step": 0.1},
                 FloatDistribution(0.1, 0.9, step=0.1)),
    "lstm_layers": ({"type": "int", "low": 1, "high": 3}, IntDistribution(1, 3)),
    "width": ({"type": "int", "low": 8, "high": 512, "log": True}, IntDistribution(8, 512, log=True)),
    "variant": ({"type": "categorical", "choices": ["lstm", "bilstm", "attention"]},
                CategoricalDistribution(["lstm", "bilstm", "attention"])),
    "batch_size": ({"type": "categorical", "choices": [32, 64, 128]},
                   CategoricalDistribution([32, 64, 128])),
}
DISTS = {k: v[1] for k, v in SPACE.items()}


def draw_params(rng):
    """One random configuration of SPACE (values on the distributions' grids)."""
    return {
        "lr": float(math.exp(rng.uniform(math.log(1e-4), math.log(1e-2)))),
        "dropout": float(rng.uniform(0.0, 0.5)),
        "momentum": round(0.1 + 0.1 * int(rng.randint(0, 9)), 10),
        "lstm_layers": int(rng.randint(1, 4)),
        "width": int(round(math.exp(rng.uniform(math.log(8), math.log(512))))),
        "variant": ["lstm", "bilstm", "attention"][int(rng.randint(0, 3))],
        "batch_size": [32, 64, 128][int(rng.randint(0, 3))],
    }


def score(p, rng):
    """A smooth made-up 'accuracy' (higher is better) plus noise, so the split is not trivial."""
    v = 0.9
    v -= 0.04 * (math.log10(p["lr"]) + 3.0) ** 2
    v -= 0.2 * (p["dropout"] - 0.2) ** 2
    v -= 0.05 * (p["momentum"] - 0.6) ** 2
    v += {"lstm": 0.0, "bilstm": 0.01, "attention": 0.02}[p["variant"]]
    v += {32: 0.005, 64: 0.01, 128: 0.0}[p["batch_size"]]
    v -= 0.005 * abs(p["lstm_layers"] - 2)
    v -= 0.01 * (math.log2(p["width"]) - 7.0) ** 2 / 4.0
    return float(v + rng.normal(0.0, 0.01))


def trial_record(number, state, params, value=None, intermediate=None):
    """A trial in the fixture's JSON form."""
    rec = {"number": number, "state": state, "params": params}
    if value is not None:
        rec["value"] = value
    if intermediate is not None:
        rec["intermediate"] = {str(k): v for k, v in sorted(intermediate.items())}
    return rec


def build_study(goal, records):
    """An in-memory study holding the given trial records (numbers must be 0, 1, 2, ...)."""
    study = optuna.create_study(direction=goal)
    state_of = {"complete": TrialState.COMPLETE, "pruned": TrialState.PRUNED,
                "failed": TrialState.FAIL}
    for i, r in enumerate(records):
        assert r["number"] == i
        study.add_trial(optuna.trial.create_trial(
            params=r["params"], distributions=DISTS, value=r.get("value"),
            state=state_of[r["state"]],
            intermediate_values={int(k): v for k, v in r.get("intermediate", {}).items()},
        ))
    return study


def tpe_group(sampler, study, below, above, space, seed):
    """Candidates and log densities of one group, as TPESampler._sample computes them."""
    mpe_below = sampler._build_parzen_estimator(study, space, below, handle_below=True)
    mpe_above = sampler._build_parzen_estimator(study, space, above, handle_below=False)
    rng = np.random.RandomState(seed)
    samples = mpe_below.sample(rng, N_EI_CANDIDATES)
    log_l = mpe_below.log_pdf(samples)
    log_g = mpe_above.log_pdf(samples)
    chosen = int(np.argmax(log_l - log_g))
    # Cross-check against the sampler's own acquisition/compare code.
    acq = sampler._compute_acquisition_func(samples, mpe_below, mpe_above)
    assert np.array_equal(acq, log_l - log_g)
    best = optuna.samplers.TPESampler._compare(samples, acq)
    assert all(best[k] == samples[k][chosen].item() for k in space)
    candidates = [
        {k: space[k].to_external_repr(samples[k][i].item()) for k in space}
        for i in range(N_EI_CANDIDATES)
    ]
    return {
        "parameters": list(space),
        "candidates": candidates,
        "log_below": [float(x) for x in log_l],
        "log_above": [float(x) for x in log_g],
        "chosen": chosen,
    }


def make_case(name, goal, multivariate, records, seed, forced=()):
    """One fixture case: the split, the groups and optional forced-n_below splits."""
    study = build_study(goal, records)
    # Default TPESampler (constant_liar=True, so _sample also asks for RUNNING trials; none here).
    sampler = optuna.samplers.TPESampler(seed=seed)
    states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    trials = study._get_trials(deepcopy=False, states=states, use_cache=False)
    n = sum(t.state != TrialState.RUNNING for t in trials)
    n_below = default_gamma(n)
    below, above = _split_trials(study, trials, n_below)
    if multivariate:
        # What infer_relative_search_space gives: the intersection space sorted by name.
        space = {k: d for k, d in IntersectionSearchSpace(include_pruned=True)
                 .calculate(study).items() if not d.single()}
        groups = [tpe_group(sampler, study, below, above, space, seed)]
    else:
        groups = [tpe_group(sampler, study, below, above, {k: DISTS[k]}, seed)
                  for k in sorted(DISTS)]
    case = {
        "name": name, "goal": goal, "multivariate": multivariate, "seed": seed,
        "space": {k: SPACE[k][0] for k in SPACE},
        "trials": records,
        "n": n, "n_below": n_below,
        "below": sorted(t.number for t in below),
        "above": sorted(t.number for t in above),
        "groups": groups,
    }
    check_against_sampler(study, multivariate, groups, seed)
    if forced:
        case["forced_splits"] = []
        for nb in forced:
            b, a = _split_trials(study, trials, nb)
            case["forced_splits"].append({"n_below": nb, "below": sorted(t.number for t in b),
                                          "above": sorted(t.number for t in a)})
    return case


def check_against_sampler(study, multivariate, groups, seed):
    """End-to-end check: a fresh default TPESampler(seed) asked for a trial picks `chosen`."""
    for g in groups:
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=multivariate)
        clone = optuna.create_study(direction=study.direction, sampler=sampler)
        clone.add_trials(study.get_trials(deepcopy=False))
        trial = clone.ask({k: DISTS[k] for k in g["parameters"]})
        assert trial.params == g["candidates"][g["chosen"]], (trial.params, g)


def records_mixed(rng, n_complete, pruned_at, failed_at, goal="maximize"):
    """Trials 0..N-1: pruned at the given numbers (steps 1 and/or 3), failed ones, rest complete."""
    recs = []
    n_total = n_complete + len(pruned_at) + len(failed_at)
    step_sets = [(1,), (1, 3), (3,), (1, 3)]
    for i in range(n_total):
        p = draw_params(rng)
        v = score(p, rng)
        if goal == "minimize":
            v = 1.0 - v
        if i in pruned_at:
            steps = step_sets[pruned_at.index(i) % len(step_sets)]
            inter = {s: v - 0.02 * (3 - s) - 0.01 for s in steps}
            recs.append(trial_record(i, "pruned", p, intermediate=inter))
        elif i in failed_at:
            recs.append(trial_record(i, "failed", p))
        else:
            recs.append(trial_record(i, "complete", p, value=v))
    return recs


def records_pruned_fill(rng):
    """12 complete + 20 pruned trials at different steps, with ties in step (and one exact tie)."""
    # (step of the last report, value at that step) for the 20 pruned trials, in trial order.
    pruned_plan = [(9, 0.80), (7, 0.83), (3, 0.86), (9, 0.82), (7, 0.81), (1, 0.90), (7, 0.85),
                   (5, 0.84), (3, 0.86), (5, 0.79), (1, 0.70), (5, 0.84), (3, 0.88), (None, None),
                   (1, 0.91), (5, 0.82), (3, 0.75), (1, 0.60), (5, 0.84), (7, 0.78)]
    recs = [(i, draw_params(rng)) for i in range(32)]
    k = 0
    # Interleave: complete at these numbers, pruned elsewhere.
    complete_at = {0, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 31}
    out = []
    for i, p in recs:
        if i in complete_at:
            out.append(trial_record(i, "complete", p, value=score(p, rng)))
        else:
            step, val = pruned_plan[k]
            k += 1
            inter = None if step is None else {s: val - 0.01 * (step - s) for s in range(1, step + 1, 2)}
            if inter is not None:
                inter[step] = val  # the last report is exactly `val`
            out.append(trial_record(i, "pruned", p, intermediate=inter or {}))
    assert k == 20
    return out


def records_ties(rng):
    """20 complete trials, values rounded to 2 decimals, with forced ties at the top."""
    recs = []
    for i in range(20):
        p = draw_params(rng)
        v = round(score(p, rng), 2)
        recs.append(trial_record(i, "complete", p, value=v))
    top = round(max(r["value"] for r in recs) + 0.01, 2)
    for i in (3, 7, 12):  # three trials share the best value; n_below is 2
        recs[i]["value"] = top
    for i in (1, 9, 15, 18):  # four trials share the next value
        recs[i]["value"] = round(top - 0.01, 2)
    return recs


def truncnorm_rows():
    """Rows of Optuna's _truncnorm helpers: log Gaussian mass, logpdf and ppf."""
    pairs = [(-40.0, -38.0), (5.0, 8.0), (-3.0, 3.0), (0.5, 0.50001), (-1.0, 0.0), (0.0, 1.0),
             (-0.5, 0.5), (-25.0, -20.0), (-21.0, 0.0), (-19.5, -19.0), (6.5, 9.0), (2.0, 30.0),
             (-30.0, 30.0), (-0.01, 0.01), (-1e-6, 2e-6), (-7.0, -6.0), (-5.0, 5.0),
             (1.0, 1.0000001), (-100.0, -99.0), (-2.0, -1.5), (3.0, 100.0), (-0.3, 12.0)]
    mass = [{"a": a, "b": b,
             "log_mass": float(_truncnorm._log_gauss_mass(np.array([a]), np.array([b]))[0])}
            for a, b in pairs]
    logpdf_rows = []
    for x, a, b, loc, scale in [(0.0, -1.0, 1.0, 0.0, 1.0), (0.3, -2.0, 0.5, 0.1, 0.4),
                                (-2.0, -3.0, -1.0, 0.5, 1.5), (7.0, 5.0, 8.0, 0.0, 1.0),
                                (1e-3, -0.2, 2.0, 0.01, 0.05), (-9.21, -0.1, 1.2, -9.0, 2.3),
                                (0.5, 0.0, 1.0, 0.25, 0.5), (0.4, -1.0, 1.0, 0.4, 0.8),
                                (-38.5, -40.0, -38.0, 0.0, 1.0), (2.0, -4.0, 4.0, 1.0, 0.25)]:
        lp = _truncnorm.logpdf(np.array([x]), np.array([a]), np.array([b]), loc, scale)
        logpdf_rows.append({"x": x, "a": a, "b": b, "loc": loc, "scale": scale,
                            "logpdf": float(lp[0])})
    ppf_rows = []
    for q in (0.0, 1e-9, 0.001, 0.25, 0.5, 0.75, 0.999, 1.0 - 1e-9, 1.0):
        for a, b in [(-3.0, 3.0), (5.0, 8.0), (-40.0, -38.0), (0.5, 0.50001), (-1.0, 0.0),
                     (0.0, 2.0), (-0.2, 4.0)]:
            with np.errstate(divide="ignore"):  # log(q) at q = 0 and log1p(-q) at q = 1
                x = _truncnorm.ppf(np.array([q]), np.array([a]), np.array([b]))
            ppf_rows.append({"q": q, "a": a, "b": b, "x": float(x[0])})
    return mass, logpdf_rows, ppf_rows


def ped_anova_row(name, goal, records):
    """PED-ANOVA with Optuna's defaults (target quantile 0.1, whole region, local) over the complete
    trials of `records`: the raw importances (evaluate) and the normalised ones users see."""
    from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances
    study = build_study(goal, records)
    raw = PedAnovaImportanceEvaluator().evaluate(study)
    normalised = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    complete = [r for r in records if r["state"] == "complete"]
    return {"name": name, "goal": goal, "trials": [{"params": r["params"], "value": r["value"]} for r in complete],
            "raw": dict(raw), "normalised": dict(normalised)}


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = np.random.RandomState(20240601)
    cases = []

    mixed30 = records_mixed(rng, 24, pruned_at=[5, 11, 17, 26], failed_at=[8, 21])
    cases.append(make_case("univariate-maximize-30", "maximize", False, mixed30, seed=1))
    cases.append(make_case("multivariate-maximize-30", "maximize", True, mixed30, seed=1))

    mixed60 = records_mixed(rng, 56, pruned_at=[9, 23, 38, 51], failed_at=[], goal="minimize")
    cases.append(make_case("multivariate-minimize-60", "minimize", True, mixed60, seed=2))

    startup = records_mixed(rng, 11, pruned_at=[], failed_at=[])
    cases.append(make_case("univariate-startup-11", "maximize", False, startup, seed=3))

    cases.append(make_case("pruned-fill", "maximize", True, records_pruned_fill(rng), seed=4,
                           forced=(13, 15, 20, 31)))

    cases.append(make_case("ties", "maximize", False, records_ties(rng), seed=5, forced=(3, 5)))

    ped_anova = [ped_anova_row(name, goal, records) for name, goal, records in (
        ("univariate-maximize-30", "maximize", mixed30), ("multivariate-minimize-60", "minimize", mixed60),
        ("ties", "maximize", records_ties(np.random.RandomState(7))))]

    mass, logpdf_rows, ppf_rows = truncnorm_rows()
    doc = {"optuna_version": optuna.__version__, "numpy_version": np.__version__, "cases": cases,
           "truncnorm": mass + logpdf_rows, "ppf": ppf_rows, "ped_anova": ped_anova}
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"wrote {OUT}: {len(text)} bytes, optuna {optuna.__version__}, numpy {np.__version__}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
