"""Why adaptive tests do not stop on a target SE before 20 items: coverage of
the 95% interval on held-out models when stopping is allowed from 5, 20 or 30
items (one 80/20 split over models; MAE in leaderboard points).

    python -m benchmarks.adaptive_stopping                 # MMLU, ~4 min on 2 cores
    python -m benchmarks.adaptive_stopping --benchmark arc
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.model_selection import KFold
from tinytasks.estimators import TinyEstimator, score_metrics
from tinytasks.estimators.adaptive import AdaptiveSettings, simulate_adaptive

from benchmarks.results_io import table_row, write_results
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

TARGETS = (2.0, 1.5)
MIN_ITEMS = (5, 20, 30)
MAX_ITEMS = 60


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmark", default="mmlu")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "adaptive_stopping"))
    a = ap.parse_args()
    data = load_source(a.benchmark, shared_data_dir())
    y, s = data.responses, data.scores
    train, test = next(KFold(5, shuffle=True, random_state=0).split(y))
    est = TinyEstimator(None, "stratified").fit(y[train], s[train]).fit_adaptive(y[train], s[train])
    answers, truth = y[test][:, est.anchors_.items], s[test]
    lines = [f"# Stopping an adaptive test at a target SE: {a.benchmark}, {test.size} held-out models", "",
             f"Budget {MAX_ITEMS} items; stopping allowed from `min_items` on.", "",
             "| target SE | min_items | mean items | MAE | 95% cover | mean width |", "| --- | --- | --- | --- | --- | --- |"]
    rows = []
    for target in TARGETS:
        for first in MIN_ITEMS:
            run = simulate_adaptive(est, answers, AdaptiveSettings(max_items=MAX_ITEMS, target_se=target,
                                                                   min_items=first))
            r = est.predict_adaptive(run.responses())
            m = score_metrics(r.score, truth, r.lower, r.upper)
            rows.append({"target_se": target, "min_items": first, "mean_items": float(run.n_asked.mean()), **m})
            lines.append(table_row(target, first, f"{run.n_asked.mean():.1f}", f"{m['mae']:.2f}",
                                   f"{m['coverage']:.3f}", f"{m['mean_interval_width']:.2f}"))
    write_results(a.out, lines, {"benchmark": a.benchmark, "n_test": int(test.size), "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
