"""Print the README's task table from the shipped validation reports
(task_configs/<task>/report.json, written by `tinytasks fit-shared`): the
six tasks, then their smaller versions (VARIANT_TASKS), each in name order.

Where some calibration models have answers to only part of the pool (a
supplement, see tinytasks/shared_data.py), the MAE over the held-out models
that answered every anchor, as a new model does, follows in brackets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinytasks.registry import TASK_OF_BENCHMARK, VARIANT_TASKS  # noqa: E402

from estimation_error import METABENCH_MAE  # noqa: E402


def main() -> None:
    print("| task | anchors | held-out MAE | 95% coverage | mean interval width | linear map of mean, MAE "
          "| metabench MAE |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for task in sorted(TASK_OF_BENCHMARK.values()) + sorted(VARIANT_TASKS):
        r = json.loads((ROOT / "task_configs" / task / "report.json").read_text())
        row = next(v for v in r["validation"] if v["budget"] == r["default_budget"])
        t = row["tiny"]
        full = row.get("tiny_fully_recorded")
        mae = f"{t['mae']:.2f}" + (f" ({full['mae']:.2f} on {full['n_models']:,})" if full else "")
        print(f"| `{task}` | {r['default_budget']} | {mae} | {100 * t['coverage']:.1f}% "
              f"| {t['mean_interval_width']:.1f} | {row['linear_mean']['mae']:.2f} "
              f"| {METABENCH_MAE.get(r['benchmark'], '-')} |")


if __name__ == "__main__":
    main()
