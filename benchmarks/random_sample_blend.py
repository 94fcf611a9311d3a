"""Can a few uniformly random items rescue the strongest models?

The idea: combine the IRT estimate with the mean of a small uniformly
random sample of the full benchmark, so that the estimate is never worse than
random sampling. Our data has responses to the pools only, not to random items
of the full benchmark; but a random sample's mean needs no response data to
simulate: a model with full score p answers k items drawn without
replacement from the N of the benchmark correctly in a hypergeometric number
of cases (as in extrapolation.py; for TruthfulQA's mc2 scores the 0/1
variance overstates the sample's error). Each held-out model gets `DRAWS`
such samples, independent of its pool answers.

Blends of the tinytasks estimate t (whole pool, with its guard; standard
error from its 95% interval) and the sample mean m (binomial standard error
with the finite-population correction):
- precision: inverse-variance weights;
- robust: the same, with t's variance raised by the part of (t - m)^2 that
  the two standard errors do not explain (a per-model bias allowance);
- best fixed weight: the one weight that minimises MAE on the test models
  themselves (an optimistic bound for any blend with a fixed weight).
Against: tinytasks alone, the sample alone, and a random sample with as many
items as the pool plus the sample (the same budget). Splits as in
extrapolation.py: the strongest 12% held out, and the first of 5 random folds.

    python -m benchmarks.random_sample_blend                 # all six (~8 min on 2 cores)
    python -m benchmarks.random_sample_blend --benchmarks mmlu
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.stats import norm
from tinytasks.estimators import TinyEstimator
from tinytasks.estimators.intervals import interval_stderr
from tinytasks.estimators.validation import cross_validate_budgets

from benchmarks.extrapolation import make_splits, random_sample_mae
from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import BENCHMARKS, SPECS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

SAMPLE_SIZES = (25, 50, 100)
SPLITS = ("strength", "random")
DRAWS = 200
LEVEL = 0.95
WEIGHTS = np.linspace(0, 1, 101)


def sample_means(scores: np.ndarray, k: int, n_full: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(means x 100, standard errors) of `DRAWS` random k-item samples per model: draws x models each."""
    good = np.round(np.clip(scores, 0, 100) / 100 * n_full).astype(int)
    hits = rng.hypergeometric(good, n_full - good, k, size=(DRAWS, scores.size))
    p = (hits + 1) / (k + 2)  # never a zero variance from an all-right or all-wrong sample
    se = 100 * np.sqrt(p * (1 - p) / k * (n_full - k) / (n_full - 1))
    return 100 * hits / k, se


def blend(t: np.ndarray, t_se: np.ndarray, m: np.ndarray, m_se: np.ndarray, robust: bool):
    """(estimate, standard error) of the inverse-variance blend (draws x models)."""
    var_t = np.broadcast_to(t_se**2, m.shape)
    if robust:
        var_t = var_t + np.maximum(0.0, (t - m) ** 2 - var_t - m_se**2)
    w = m_se**2 / (var_t + m_se**2)
    return w * t + (1 - w) * m, np.sqrt(var_t * m_se**2 / (var_t + m_se**2))


def _summary(est: np.ndarray, truth: np.ndarray, se: np.ndarray) -> dict:
    err = np.abs(est - truth)
    return {"mae": float(err.mean()), "coverage": float((err <= norm.ppf(0.5 + LEVEL / 2) * se).mean())}


def split_results(bench: str, kind: str, data, seed: int = 0) -> dict:
    train, test = make_splits(kind, data.scores, list(data.models), seed)[0]
    res = cross_validate_budgets(data.responses, data.scores, lambda b: TinyEstimator(b, "stratified", 3),
                                 [None], splits=[(train, test)])[None]
    p, truth = res.predictions, res.truth
    t, t_se = p["tiny"], np.maximum(interval_stderr(p["tiny_lower"], p["tiny_upper"], LEVEL), 0.5)
    n_full, pool = SPECS[bench].full_items, data.responses.shape[1]
    inside = (truth >= p["tiny_lower"]) & (truth <= p["tiny_upper"])
    row = {"n_test": int(truth.size), "pool": int(pool),
           "tiny": {"mae": float(np.abs(t - truth).mean()), "coverage": float(inside.mean())},
           "random_sample_of_pool_size_mae": float(random_sample_mae(truth, pool, n_full).mean()), "by_sample_size": {}}
    rng = np.random.default_rng(seed)
    for k in SAMPLE_SIZES:
        m, m_se = sample_means(truth, k, n_full, rng)
        fixed_mae = [float(np.abs(w * t + (1 - w) * m - truth).mean()) for w in WEIGHTS]
        best = int(np.argmin(fixed_mae))
        precise, robust = (blend(t, t_se, m, m_se, r) for r in (False, True))
        row["by_sample_size"][k] = {
            "sample_alone": _summary(m, truth, m_se),
            "precision": _summary(precise[0], truth, precise[1]),
            "robust": _summary(robust[0], truth, robust[1]),
            "best_fixed_weight": {"weight_on_tinytasks": float(WEIGHTS[best]), "mae": fixed_mae[best]},
            "random_sample_same_budget_mae": float(random_sample_mae(truth, pool + k, n_full).mean()),
        }
    return row


def render(report: dict) -> list[str]:
    lines = ["# The tinytasks estimate blended with a uniformly random sample of the full benchmark", "",
             "Whole pool as anchors (with the guard), plus k random items of the full benchmark simulated exactly "
             f"({DRAWS} hypergeometric draws per held-out model). MAE in leaderboard points; cover = 95% interval "
             "coverage. Same budget: a random sample of pool + k items alone. Best fixed weight is chosen on the "
             "test models themselves (optimistic).", "",
             "| benchmark | split | pool | k | tinytasks MAE (cover) | sample of k MAE | precision blend MAE (cover) "
             "| robust blend MAE (cover) | best fixed weight: MAE (weight on tinytasks) | random sample, same budget MAE |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench, splits in report.items():
        for kind, r in splits.items():
            for k, b in r["by_sample_size"].items():
                lines.append(table_row(
                    bench, kind, r["pool"], k, f"{r['tiny']['mae']:.2f} ({r['tiny']['coverage']:.3f})",
                    f"{b['sample_alone']['mae']:.2f}",
                    f"{b['precision']['mae']:.2f} ({b['precision']['coverage']:.3f})",
                    f"{b['robust']['mae']:.2f} ({b['robust']['coverage']:.3f})",
                    f"{b['best_fixed_weight']['mae']:.2f} ({b['best_fixed_weight']['weight_on_tinytasks']:.2f})",
                    f"{b['random_sample_same_budget_mae']:.2f}"))
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "random_sample_blend"))
    a = ap.parse_args()
    root = shared_data_dir()
    report = {}
    for bench in a.benchmarks.split(","):
        data = load_source(bench, root)
        report[bench] = {}
        for kind in SPLITS:
            print(f"{bench} / {kind}", flush=True)
            report[bench][kind] = split_results(bench, kind, data)
    write_results(a.out, render(report), report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
