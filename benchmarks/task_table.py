"""The README's task table, from what ships and what was measured: per task,
its items, their share of the full benchmark, the held-out error and
interval coverage of its report (task_configs/<task>/report.json, written by
`python -m maintainer fit-shared`), and its wall time on the packaged SmolLM2-135M on
2 CPU cores (results/tiny_savings/<task>.json, written by
`python -m benchmarks.tiny_savings`; "-" where not measured, "~" where
scaled from a run of the task's first items).

    python -m benchmarks.task_table

Where some calibration models have answers to only part of the pool (an
ATLAS supplement), the MAE over the held-out models that answered every
anchor, as a new model does, follows in brackets. The MAE range is the
report's 95% bootstrap interval of that MAE (the bracketed one where there
is one), resampling whole organisations.
"""

from __future__ import annotations

import json
from pathlib import Path

from tinytasks.benchmark_specs import SPECS
from tinytasks.registry import GROUPS, TASK_CONFIG_DIR, TASKS

ROOT = Path(__file__).resolve().parents[1]
SAVINGS = ROOT / "benchmarks" / "results" / "tiny_savings"


def task_row(task: str) -> str:
    bench, _ = TASKS[task]
    r = json.loads((TASK_CONFIG_DIR / task / "report.json").read_text())
    row = next(v for v in r["validation"] if v["budget"] == r["default_budget"])
    t, full = row["tiny"], row.get("tiny_fully_recorded")
    mae = f"{t['mae']:.2f}" + (f" ({full['mae']:.2f})" if full else "")
    lo, hi = (full or t)["mae_interval"]
    timed = SAVINGS / f"{task}.json"
    minutes = "-"
    if timed.exists():
        run = json.loads(timed.read_text())
        partial = run.get("timed_items", run["items"]) < run["items"]  # scaled from its first items
        minutes = f"{'~' if partial else ''}{run['seconds'] / 60:.1f} min"
    items = r["default_budget"]
    return (f"| `{task}` | {items} | {100 * items / SPECS[bench].full_items:.1f}% | {mae} | {lo:.2f}-{hi:.2f} "
            f"| {100 * t['coverage']:.1f}% "
            f"| {t['mean_interval_width']:.1f} | {minutes} |")


def main() -> None:
    print("| task | items | share of the benchmark | held-out MAE | MAE range | 95% coverage | mean interval width "
          "| run time, SmolLM2-135M on 2 CPU cores |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    lineups = [t for members in GROUPS.values() for t in members]
    for task in dict.fromkeys(lineups + [t for t in TASKS if t not in lineups]):  # the lineups, then IFEval's
        print(task_row(task))


if __name__ == "__main__":
    main()
