"""What the parameter files weigh and how fast a task loads them.

Per shipped task: the bytes a fixed-set run reads (its parameter manifest and
arrays, and its benchmark's item-text file), the bytes only `tinytasks
adaptive` reads (the adaptive pair), and the time to load the task as a
fixed-set run does (checked parameter file, estimator built, anchors' texts
joined; median of 7 loads, caches cleared); and the size of task_configs/.

    python -m benchmarks.param_files     # a few seconds
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.results_io import table_row, write_results
from tinytasks.item_texts import read_item_texts
from tinytasks.registry import BENCHMARK_OF_TASK, TASK_CONFIG_DIR
from tinytasks.scoring import load_task_params, task_anchors

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "benchmarks" / "results" / "param_files"
REPEATS = 7


def load_seconds(task: str) -> float:
    times = []
    for _ in range(REPEATS):
        for cached in (load_task_params, task_anchors, read_item_texts):
            cached.cache_clear()
        t0 = time.perf_counter()
        task_anchors(task)  # loads the parameter file too
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    lines = ["# Parameter files", "", "| task | fixed run reads (KB) | of which item texts (KB) | adaptive maps (KB) "
             "| load time, fixed run (s) |", "| --- | --- | --- | --- | --- |"]
    rows = {}
    for task, bench in BENCHMARK_OF_TASK.items():
        folder = TASK_CONFIG_DIR / task
        texts = (TASK_CONFIG_DIR / "items" / f"{bench}.json.gz").stat().st_size
        fixed = sum((folder / n).stat().st_size for n in ("params.json", "params.npz")) + texts
        adaptive = sum(p.stat().st_size for p in folder.glob("params.adaptive.*"))
        seconds = load_seconds(task)
        rows[task] = {"fixed_bytes": fixed, "item_text_bytes": texts, "adaptive_bytes": adaptive,
                      "load_seconds": seconds}
        lines.append(table_row(task, f"{fixed / 1024:.0f}", f"{texts / 1024:.0f}", f"{adaptive / 1024:.0f}",
                               f"{seconds:.3f}"))
    total = sum(p.stat().st_size for p in TASK_CONFIG_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    lines += ["", f"task_configs/ in all: {total / 2**20:.1f} MB."]
    write_results(OUT, lines, {"tasks": rows, "task_configs_bytes": total, "repeats": REPEATS})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
