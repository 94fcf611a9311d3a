"""How close any adaptive item choice can come to fixed 100 anchors:
an adaptive test whose selection rule knows each model's ability.

The aim is an adaptive test that reaches the fixed 100-anchor MAE with at most
40 items. Our pools are already metabench's informative items (102-486), so
the fixed 100 anchors hold most of a pool's information. The oracle below is
an upper bound on what better *choosing* can buy: it runs the shipped
`score_variance` rule, but at the model's whole-pool ability (MAP from every
pool answer it has) instead of its current estimate, with the posterior
covariance the asked items give at that ability. The estimate itself is made
as shipped, from the asked answers alone, by a score map fitted on the
calibration models' own oracle tests. If the oracle does not reach the fixed
100 anchors' MAE at 40 items, no selection rule over this pool will with
these maps.

On adaptive_testing.py's split (the first of 5 seeded folds over models):
shipped rule, oracle rule, and fixed supervised anchors (as `tinytasks fit`
chooses them) at 40 and 100 items, on the held-out 20%.

    python -m benchmarks.adaptive_oracle                    # all six (~15 min on 2 cores)
    python -m benchmarks.adaptive_oracle --benchmarks mmlu
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tinytasks.estimators import TinyEstimator, estimate_ability, score_metrics
from tinytasks.estimators.adaptive import (
    AdaptiveSettings,
    AdaptiveTest,
    simulate_adaptive,
)
from tinytasks.estimators.measurement import ScoreMeasurement, score_gradient, score_slope

from benchmarks.adaptive_testing import split_and_fit
from benchmarks.adaptive_variants import map_predictions
from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import BENCHMARKS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

LENGTHS = (20, 30, 40, 60)
FIXED = (40, 100)


@dataclass(frozen=True)
class OracleUpdate:
    """An adaptive test's ability update at each model's known ability
    `theta_star` (models x dims): the gradient of the score and the posterior
    covariance (prior precision plus the asked items' Fisher information)
    are taken there, not at the running estimate."""

    theta_star: np.ndarray

    def measure(self, calibration, answers: np.ndarray, slope: float, rows: np.ndarray) -> ScoreMeasurement:
        theta = self.theta_star[rows]
        anchors = calibration.anchor_bank
        p = anchors.icc(theta)
        weight = np.where(np.isnan(answers), 0.0, p * (1 - p))
        precision = np.linalg.inv(calibration.prior.cov) + np.einsum("nj,jd,je->nde", weight, anchors.slopes,
                                                                     anchors.slopes)
        cov = np.linalg.inv(precision)
        g = score_gradient(calibration, theta, slope)
        return ScoreMeasurement(theta, cov, g, np.sqrt(np.einsum("nd,nde,ne->n", g, cov, g)))


def scored(est: TinyEstimator, runs, s_cal, s_new, slope: float, seed: int) -> dict:
    """MAE and coverage at each length of maps fitted on the calibration runs."""
    return {k: score_metrics(mu, s_new, lo, hi)
            for k, (mu, lo, hi) in map_predictions(est, runs, s_cal, slope, LENGTHS, False, seed)}


def run_benchmark(bench: str, root: Path, seed: int = 0) -> dict:
    data = load_source(bench, root)
    y, s = data.responses, data.scores
    train, test, irt, est = split_and_fit(y, s, "supervised", seed)
    slope = score_slope(est.calibration_, est.score_map_, seed=seed)
    answers = [y[rows][:, est.anchors_.items] for rows in (train, test)]
    out = {"n_test": int(test.size), "pool": int(y.shape[1]), "fixed": {}}
    for k in FIXED:
        fixed = est if k >= y.shape[1] else TinyEstimator(k, "supervised", 3, seed).fit(y[train], s[train], irt=irt)
        res = fixed.predict(y[test][:, fixed.anchors_.items])
        out["fixed"][min(k, y.shape[1])] = score_metrics(res.score, s[test], res.lower, res.upper)
    shipped = [simulate_adaptive(est, a, AdaptiveSettings(max_items=max(LENGTHS)), slope) for a in answers]
    out["shipped"] = scored(est, shipped, s[train], s[test], slope, seed)
    oracle = []
    for a in answers:
        theta_star = estimate_ability(a, est.calibration_.anchor_bank, "map", est.calibration_.prior).theta
        test_ = AdaptiveTest(est, a.shape[0], AdaptiveSettings(max_items=max(LENGTHS)), available=~np.isnan(a),
                             slope=slope, update=OracleUpdate(theta_star))
        oracle.append(test_.run(lambda r, i, a=a: a[r, i]))
    out["oracle"] = scored(est, oracle, s[train], s[test], slope, seed)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "adaptive_oracle"))
    a = ap.parse_args()
    root = shared_data_dir()
    report = {"settings": {"lengths": LENGTHS, "fixed": FIXED, "rule": "score_variance",
                           "split": "first of 5 seeded KFold folds over models"}, "benchmarks": {}}
    cols = " / ".join(str(k) for k in LENGTHS)
    lines = ["# Adaptive tests with an oracle's item choice (held-out real models)", "",
             "One 80/20 split over models (as adaptive_testing.py). Oracle: the shipped `score_variance` rule applied "
             "at each model's whole-pool ability instead of its running estimate; both scored from the asked answers "
             "by maps fitted on the calibration models' own tests of that kind. Fixed: supervised anchors. "
             "MAE in leaderboard points; cover = 95% interval coverage at 40 items.", "",
             f"| benchmark | pool | fixed 40 MAE | fixed 100 MAE | shipped MAE at {cols} | oracle MAE at {cols} "
             "| oracle cover at 40 | oracle at 40 reaches fixed 100 |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench in a.benchmarks.split(","):
        print(f"{bench}: fitting and replaying", flush=True)
        r = report["benchmarks"][bench] = run_benchmark(bench, root)
        ref = r["fixed"][min(100, r["pool"])]["mae"]
        r["oracle_at_40_reaches_fixed_100"] = bool(r["oracle"][40]["mae"] <= ref)
        lines.append(table_row(
            bench, r["pool"], f"{r['fixed'][40]['mae']:.2f}", f"{ref:.2f}",
            " / ".join(f"{r['shipped'][k]['mae']:.2f}" for k in LENGTHS),
            " / ".join(f"{r['oracle'][k]['mae']:.2f}" for k in LENGTHS),
            f"{r['oracle'][40]['coverage']:.3f}", "yes" if r["oracle_at_40_reaches_fixed_100"] else "no"))
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
