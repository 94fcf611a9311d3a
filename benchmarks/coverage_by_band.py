"""Held-out error and 95% coverage by real-score band, per task of each lineup.

The reports give one coverage over all held-out models; a task can cover
95% overall and still miss at the weak or the strong end. This splits the
held-out estimates of `python -m maintainer fit-joint` (5-fold over the 1,608 shared-data
models with all six benchmarks, each task configured as shipped) by each
benchmark's real score into quartiles, plus the weakest and strongest 5%.
Each coverage carries its binomial 95% interval (Wilson): with 80 models in
a 5% band, a coverage of 95% is measured only to about +-5 points.

    python -m benchmarks.coverage_by_band      # seconds after `python -m maintainer fit-joint`; else its held-out fits, ~12 min per lineup
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.stats import binomtest

from benchmarks.results_io import table_row, write_results
from tinytasks.estimators.metrics import score_metrics
from tinytasks.fitting import FitSettings
from maintainer.joint_fitting import held_out_cache_dir, held_out_estimates
from tinytasks.registry import GROUPS, TIERS

ROOT = Path(__file__).resolve().parents[1]
BANDS = ((0, 5), (0, 25), (25, 50), (50, 75), (75, 100), (95, 100))  # percentiles of the real score


def main() -> int:
    lines = ["# Held-out error and 95% coverage by real-score band", "",
             "Held-out estimates of `python -m maintainer fit-joint` (5-fold over the shared-data models with all six "
             "benchmarks). Bands are percentiles of each benchmark's real score; the score range of each band "
             "is given.", "",
             "| task | band (percentiles) | real scores | models | MAE | 95% cover | its 95% interval | mean width |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    rows = []
    for group in TIERS:
        h = held_out_estimates(FitSettings(), group, cache_dir=held_out_cache_dir())
        for j, task in enumerate(GROUPS[group]):
            truth = h.truth[:, j]
            for lo, hi in BANDS:
                a, b = np.percentile(truth, [lo, hi])
                inside = (truth >= a) & (truth <= b)
                m = score_metrics(h.score[inside, j], truth[inside], h.lower[inside, j], h.upper[inside, j])
                n = int(inside.sum())
                ci = binomtest(round(m["coverage"] * n), n).proportion_ci(0.95, method="wilson")
                row = {"task": task, "band": [lo, hi], "scores": [float(a), float(b)], "models": n,
                       "mae": m["mae"], "coverage": m["coverage"], "coverage_ci": [ci.low, ci.high],
                       "width": m["mean_interval_width"]}
                rows.append(row)
                lines.append(table_row(task, f"{lo}-{hi}", f"{a:.1f}-{b:.1f}", n, f"{m['mae']:.2f}",
                                       f"{m['coverage']:.3f}", f"[{ci.low:.3f}, {ci.high:.3f}]",
                                       f"{m['mean_interval_width']:.2f}"))
    write_results(ROOT / "benchmarks" / "results" / "coverage_by_band", lines, {"rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
