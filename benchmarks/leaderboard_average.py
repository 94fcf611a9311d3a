"""The Open LLM Leaderboard average from a lineup's six tiny tasks, and the
joint estimate: errors and interval coverage on held-out models that have all six.

5-fold CV over the models present in every benchmark's shared data; each
task of the lineup is configured as `python -m maintainer fit-shared` configures it and
fitted on all of its benchmark's models outside the test fold.
Two intervals for the average of the six estimates:
- "bounds mean": the mean of the six lower and of the six upper bounds (what
  the group prints); right if the six errors were perfectly correlated, too
  wide otherwise;
- "independent": half-width sqrt(sum of squared half-widths) / 6, right if
  the six errors were independent.
Then the joint estimate (`tinytasks average` with all six tasks): per task,
own vs joint estimate, the joint corrections fitted without the scored models.
Also printed: the correlation matrix of the six tasks' errors.

    python -m benchmarks.leaderboard_average                                # tiny_leaderboard
    python -m benchmarks.leaderboard_average --group tiny_leaderboard_25    # -> results/leaderboard_average_25

The held-out estimates are those of `python -m maintainer fit-joint`, from its cache
when it has run (minutes otherwise).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tinytasks.estimators.comparison import average_estimates
from tinytasks.estimators.metrics import score_metrics

from benchmarks.results_io import write_results
from tinytasks.fitting import FitSettings
from maintainer.joint_fitting import (
    held_out_cache_dir,
    held_out_estimates,
    joint_report_markdown,
    joint_validation,
)
from tinytasks.registry import GROUPS

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--group", default="tiny_leaderboard", choices=list(GROUPS),
                    help="the lineup whose six tasks are averaged")
    args = ap.parse_args()
    h = held_out_estimates(FitSettings(), args.group, cache_dir=held_out_cache_dir())
    benches = h.benchmarks
    avg, truth = h.score.mean(1), h.truth.mean(1)
    bounds = (h.lower.mean(1), h.upper.mean(1))
    _, *indep = average_estimates(h.score, h.lower, h.upper)
    errors = h.score - h.truth
    corr = np.corrcoef(errors.T)
    joint = joint_validation(h)
    report = {
        "n_models": len(h.models), "benchmarks": benches,
        "average_bounds_mean": score_metrics(avg, truth, *bounds),
        "average_independent": score_metrics(avg, truth, *indep),
        "per_task_mae": {b: float(np.abs(errors[:, j]).mean()) for j, b in enumerate(benches)},
        "error_correlation": corr.round(3).tolist(),
        "joint": joint,
    }
    a, i = report["average_bounds_mean"], report["average_independent"]
    group, config = args.group, "configured as shipped"
    report["group"] = group
    lines = [f"# Leaderboard average of the six tiny tasks of {group} (held-out models with all six)", "",
             f"{len(h.models)} models, 5-fold CV, each task {config}. Average of six 0-100 scores.", "",
             "| interval | MAE of average | 95% cover | mean width |", "| --- | --- | --- | --- |",
             f"| bounds mean ({group} group) | {a['mae']:.3f} | {a['coverage']:.3f} | {a['mean_interval_width']:.2f} |",
             f"| independent errors | {i['mae']:.3f} | {i['coverage']:.3f} | {i['mean_interval_width']:.2f} |", "",
             "Per-task MAE: " + ", ".join(f"{b} {v:.2f}" for b, v in report["per_task_mae"].items()), "",
             "Correlation of the six tasks' errors (" + ", ".join(benches) + "):", ""]
    lines += ["    " + " ".join(f"{v:6.2f}" for v in r) for r in corr]
    lines += ["", joint_report_markdown({"group": group, "n_models": len(h.models),
                                         "validation": joint}).replace("# ", "## ", 1)]
    name = "leaderboard_average" + group.removeprefix("tiny_leaderboard")
    write_results(ROOT / "benchmarks" / "results" / name, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
