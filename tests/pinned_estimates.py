"""Every shipped task's pinned examples (its report.json) estimated in this
process. Run as a script by test_determinism.py, once per kernel setting:
prints {"blas": [OpenBLAS core types loaded], "estimates": {task: [[score,
lower, upper, extrapolated, misfit], ...]}} as JSON."""

from __future__ import annotations

import json
import sys

import numpy as np

from tinytasks.registry import BENCHMARK_OF_TASK, TASK_CONFIG_DIR
from tinytasks.scoring import load_task_params


def pinned_rows(task: str) -> list[dict]:
    return json.loads((TASK_CONFIG_DIR / task / "report.json").read_text())["pinned_examples"]


def estimate_pinned(task: str) -> list[list]:
    est = load_task_params(task)[0]
    out = []
    for ex in pinned_rows(task):  # one model at a time, as the harness estimates
        row = np.array([np.nan if v is None else v for v in ex["anchor_responses"]], dtype=float)
        r = est.predict(row[None])
        out.append([float(r.score[0]), float(r.lower[0]), float(r.upper[0]), bool(r.extrapolated[0]),
                    bool(r.misfit[0])])
    return out


def main() -> None:
    from threadpoolctl import threadpool_info

    blas = [i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"]
    json.dump({"blas": blas, "estimates": {t: estimate_pinned(t) for t in sorted(BENCHMARK_OF_TASK)}}, sys.stdout)


if __name__ == "__main__":
    main()
