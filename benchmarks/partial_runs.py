"""How good are estimates from runs that answered only some of the anchors?

`lm_eval --limit k`, a crashed run or a user's own partial results leave
anchors unanswered. Per benchmark: fit the shipped estimator (whole pool,
3-D IRT, stratified) on 80% of the shared data's models, then on the other
20% (those with every anchor answered) hide answers and score:
- random share: each model keeps a uniformly random 10-70% of its anchors;
- first quarter / first 10: the first anchors in the tiny task's doc order
  (`spread_order`, what `--limit` runs), and, for comparison, the first
  quarter in the pool's own order (the order before this benchmark).
For each: tinytasks as shipped (the partial map below 80% answered) and the
previous method (unanswered anchors imputed from the posterior predictive
into the full map), MAE and 95%-interval coverage against the real score.

    python -m benchmarks.partial_runs                      # ~15 min on 2 cores
    python -m benchmarks.partial_runs --benchmarks mmlu --test-models 300
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from tinytasks.estimators import TinyEstimator, spread_order

from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import BENCHMARKS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]


def masks(n_models: int, est: TinyEstimator, rng) -> dict[str, np.ndarray]:
    """Which anchors each test model keeps (True = answered), per scenario."""
    n = est.anchors_.items.size
    keep = rng.random((n_models, n)) < rng.uniform(0.1, 0.7, size=(n_models, 1))
    keep[np.arange(n_models), rng.integers(n, size=n_models)] = True
    order = spread_order(est.calibration_.anchor_bank)

    def first(k: int, in_order: np.ndarray) -> np.ndarray:
        m = np.zeros(n, bool)
        m[in_order[:k]] = True
        return np.broadcast_to(m, (n_models, n))

    out = {"random 10-70%": keep, "first quarter": first(max(n // 4, 1), order)}
    if n > 10:
        out["first 10"] = first(10, order)
    out["first quarter, pool order"] = first(max(n // 4, 1), np.arange(n))
    return out


def scored(est: TinyEstimator, answers: np.ndarray, truth: np.ndarray, imputed: bool) -> dict:
    """MAE, coverage and mean width; `imputed` forces the previous method."""
    res = est.predict(answers, partial_map_below=0.0) if imputed else est.predict(answers)  # 0: no run is sparse
    inside = (truth >= res.lower) & (truth <= res.upper)
    return {"mae": float(np.abs(res.score - truth).mean()), "coverage": float(inside.mean()),
            "width": float((res.upper - res.lower).mean())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--test-models", type=int, default=500, help="held-out models scored per benchmark")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "partial_runs"))
    a = ap.parse_args()
    root = shared_data_dir()
    report = {"settings": {"test_models": a.test_models, "seed": a.seed}, "benchmarks": {}}
    lines = ["# Estimates from runs that answered only some anchors (held-out models, shared data)", "",
             "Fitted on 80% of the models (whole pool, 3-D IRT); scored on held-out models with every anchor "
             "answered, some answers hidden. tinytasks: as shipped (the partial map below 80% answered). "
             "imputed: the unanswered anchors drawn from the posterior predictive into the full map (the method "
             "before). MAE in leaderboard points; cover: share of real scores inside the 95% interval.", "",
             "| benchmark | anchors | answers kept | mean answered | tinytasks MAE | cover | width "
             "| imputed MAE | cover | width | all answered MAE |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench in a.benchmarks.split(","):
        t0 = time.perf_counter()
        data = load_source(bench, root)
        rng = np.random.default_rng(a.seed)
        perm = rng.permutation(len(data.scores))
        n_train = int(0.8 * perm.size)
        train, test = perm[:n_train], perm[n_train:]
        est = TinyEstimator(None, "stratified", 3, seed=a.seed).fit(data.responses[train], data.scores[train])
        rows = data.responses[test][:, est.anchors_.items]
        complete = ~np.isnan(rows).any(1)
        rows, truth = rows[complete][: a.test_models], data.scores[test][complete][: a.test_models]
        full = est.predict(rows)
        full_mae = float(np.abs(full.score - truth).mean())
        report["benchmarks"][bench] = {"n_anchors": int(rows.shape[1]), "n_test": int(truth.size),
                                       "complete_mae": full_mae, "scenarios": {}}
        print(f"{bench}: fitted on {train.size} models, scoring {truth.size}", flush=True)
        for name, keep in masks(truth.size, est, rng).items():
            answers = np.where(keep, rows, np.nan)
            new, old = scored(est, answers, truth, False), scored(est, answers, truth, True)
            report["benchmarks"][bench]["scenarios"][name] = {
                "mean_answered": float(keep.sum(1).mean()), "tinytasks": new, "imputed": old}
            lines.append(table_row(
                bench, rows.shape[1], name, f"{keep.sum(1).mean():.1f}", f"{new['mae']:.2f}",
                f"{new['coverage']:.3f}", f"{new['width']:.1f}", f"{old['mae']:.2f}", f"{old['coverage']:.3f}",
                f"{old['width']:.1f}", f"{full_mae:.2f}"))
        report["benchmarks"][bench]["seconds"] = time.perf_counter() - t0
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
