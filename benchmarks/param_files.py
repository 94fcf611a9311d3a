"""What the parameter files weigh and how fast a task loads them.

Per shipped task: the bytes a fixed-set run reads (its parameter manifest and
arrays, and its benchmark's item-text file), the bytes only `tinytasks
adaptive` reads (the adaptive pair), and the time to load the task as a
fixed-set run does (checked parameter file, estimator built, anchors' texts
joined; median of 7 loads, caches cleared); the tinytasks modules a fresh
process imports to score a fixed run of a task the way lm-eval's aggregation
does (`lm_eval_tasks.aggregate_score` on every anchor answered); and the size
of task_configs/.

    python -m benchmarks.param_files     # a few seconds
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
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


FIXED_RUN = """
import json, sys
from tinytasks import lm_eval_tasks
from tinytasks.scoring import task_anchors
task = sys.argv[1]
lm_eval_tasks.aggregate_score(tuple((task, a["key"], 1.0) for a in task_anchors(task)))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("tinytasks"))))
"""


def fixed_run_modules(task: str) -> list[str]:
    """The tinytasks modules a fresh process imports to score a fixed run of `task`."""
    out = subprocess.run([sys.executable, "-c", FIXED_RUN, task], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    modules = fixed_run_modules("tiny_mmlu")
    lines += ["", f"task_configs/ in all: {total / 2**20:.1f} MB.", "",
              f"Scoring a fixed run of tiny_mmlu imports {len(modules)} tinytasks modules "
              f"({sum(m.startswith('tinytasks.estimators.') for m in modules)} of them statistics): "
              + ", ".join(f"`{m.removeprefix('tinytasks.')}`" for m in modules) + "."]
    write_results(OUT, lines, {"tasks": rows, "task_configs_bytes": total, "repeats": REPEATS,
                               "fixed_run_modules": modules})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
