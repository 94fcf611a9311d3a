"""The Open LLM Leaderboard average from the six tiny tasks: its error and
how well its interval covers, on held-out models that have all six.

5-fold CV over the models present in every benchmark's shared data; each
benchmark's estimator is fitted on all of its models outside the test fold
(whole pool, 3-D IRT, as shipped), and the test models' six estimates are
averaged. Two intervals for the average:
- "bounds mean": the mean of the six lower and of the six upper bounds (what
  the tiny_leaderboard group prints); right if the six errors were perfectly
  correlated, too wide otherwise;
- "independent": half-width sqrt(sum of squared half-widths) / 6, right if
  the six errors were independent.
Also printed: the correlation matrix of the six tasks' errors.

    python benchmarks/leaderboard_average.py     # ~15 min on 2 cores
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estimators import TinyEstimator  # noqa: E402
from estimators.comparison import average_estimates  # noqa: E402
from estimators.validation import score_metrics  # noqa: E402
from tinytasks.shared_data import SOURCES, load_source, shared_data_dir  # noqa: E402

from results_io import write_results  # noqa: E402


def main() -> int:
    root = shared_data_dir()
    data = {b: load_source(b, root) for b in SOURCES}
    common = sorted(set.intersection(*(set(d.models) for d in data.values())))
    print(f"{len(common)} models have all of {', '.join(data)}", flush=True)
    benches = list(data)
    est = {k: np.full((len(common), len(benches)), np.nan) for k in ("score", "lower", "upper", "truth")}
    for fold, (_, test) in enumerate(KFold(5, shuffle=True, random_state=0).split(common)):
        test_models = {common[i] for i in test}
        for j, b in enumerate(benches):
            d = data[b]
            row = {m: i for i, m in enumerate(d.models)}
            t_idx = np.array([row[common[i]] for i in test])
            train = np.array([i for i, m in enumerate(d.models) if m not in test_models])
            fit = TinyEstimator(None, "stratified", 3).fit(d.responses[train], d.scores[train])
            r = fit.predict(d.responses[t_idx][:, fit.anchors_.items])
            est["score"][test, j], est["lower"][test, j], est["upper"][test, j] = r.score, r.lower, r.upper
            est["truth"][test, j] = d.scores[t_idx]
        print(f"fold {fold + 1}/5 done", flush=True)
    avg, truth = est["score"].mean(1), est["truth"].mean(1)
    bounds = (est["lower"].mean(1), est["upper"].mean(1))
    _, *indep = average_estimates(est["score"], est["lower"], est["upper"])
    errors = est["score"] - est["truth"]
    corr = np.corrcoef(errors.T)
    report = {
        "n_models": len(common), "benchmarks": benches,
        "average_bounds_mean": score_metrics(avg, truth, *bounds),
        "average_independent": score_metrics(avg, truth, *indep),
        "per_task_mae": {b: float(np.abs(errors[:, j]).mean()) for j, b in enumerate(benches)},
        "error_correlation": corr.round(3).tolist(),
    }
    a, i = report["average_bounds_mean"], report["average_independent"]
    lines = ["# Leaderboard average of the six tiny tasks (held-out models with all six)", "",
             f"{len(common)} models, 5-fold CV. Average of six 0-100 scores.", "",
             "| interval | MAE of average | 95% cover | mean width |", "| --- | --- | --- | --- |",
             f"| bounds mean (tiny_leaderboard group) | {a['mae']:.3f} | {a['coverage']:.3f} | {a['mean_interval_width']:.2f} |",
             f"| independent errors | {i['mae']:.3f} | {i['coverage']:.3f} | {i['mean_interval_width']:.2f} |", "",
             "Per-task MAE: " + ", ".join(f"{b} {v:.2f}" for b, v in report["per_task_mae"].items()), "",
             "Correlation of the six tasks' errors (" + ", ".join(benches) + "):", ""]
    lines += ["    " + " ".join(f"{v:6.2f}" for v in r) for r in corr]
    write_results(ROOT / "benchmarks" / "results" / "leaderboard_average", lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
