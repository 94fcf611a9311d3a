"""Tiny estimates for weak models against a real reference: the packaged
models and noise-perturbed copies (stand-ins for early training checkpoints),
each scored by the tiny tasks and by a uniform random sample of the full
benchmark in the same prompt format (`full_reference.py`, which runs the
models and stores every run with its answers to each anchor).

This script runs no model: it estimates every stored run with the installed
tasks (each full task and its 25-anchor task, whose anchors are among the
full task's) and writes the table, with the two targets: the reference inside
the 95% interval for at least 90% of (model, task) pairs, and no estimate
more than 5 points off where the reference's standard error is under 2.

    python -m benchmarks.full_reference --benchmark winogrande --models smollm2-135m,smollm2-135m@0.3 --sample 500
    python -m benchmarks.weak_models
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.results_io import table_row, write_results
from tinytasks.registry import BENCHMARK_OF_TASK
from tinytasks.scoring import anchor_keys, estimate_task

ROOT = Path(__file__).resolve().parents[1]

RUNS = ROOT / "benchmarks" / "results" / "full_reference"
OUT = ROOT / "benchmarks" / "results" / "weak_models"
MAX_ERROR, PRECISE_SE, TARGET_INSIDE = 5.0, 2.0, 0.90


def tasks_of(benchmark: str) -> list[str]:
    return [t for t, b in BENCHMARK_OF_TASK.items() if b == benchmark]


def main() -> int:
    runs = [json.loads(p.read_text()) for p in sorted(RUNS.glob("*.json"))]
    lines = ["# Weak models: tiny estimates against a random sample of the full benchmark", "",
             "Reference: the full benchmark in the tiny task's prompt format, scored as on the leaderboard, "
             "+- its standard error (a uniform random sample; 0 when every item was scored). Models: the "
             "packaged models, and `<model>@<noise>` copies with Gaussian weight noise of that many times each "
             "tensor's std.", "",
             "| model | task | anchors answered | anchor accuracy | estimate | 95% interval | reference | error "
             "| inside | extrapolated |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    rows, unanswered = [], []
    for run in runs:
        for task in tasks_of(run["benchmark"]):
            keys = set(anchor_keys(task))
            answers = {k: v for k, v in run["anchor_answers"].items() if k in keys}
            if len(answers) != len(keys):  # listed, not estimated: a partial run is not what this table checks
                unanswered.append(f"{run['model']} {task} ({len(answers)} of {len(keys)} anchors)")
                continue
            e = estimate_task(task, answers)
            ref, se = run["reference_score"], run["reference_se"]
            row = {"model": run["model"], "task": task, "anchors": len(answers), "accuracy": e.accuracy,
                   "estimate": e.score, "lower": e.lower, "upper": e.upper, "reference": ref, "reference_se": se,
                   "error": e.score - ref, "inside": e.lower <= ref <= e.upper, "extrapolated": e.extrapolated,
                   "reference_items": run["reference_items"], "seconds": run["seconds"]}
            rows.append(row)
            lines.append(table_row(row["model"], task, len(answers), f"{e.accuracy:.3f}", f"{e.score:.2f}",
                                   f"[{e.lower:.2f}, {e.upper:.2f}]", f"{ref:.2f} +- {se:.2f}",
                                   f"{row['error']:+.2f}", "yes" if row["inside"] else "no", int(e.extrapolated)))
    inside = sum(r["inside"] for r in rows) / max(len(rows), 1)
    precise = [r for r in rows if r["reference_se"] < PRECISE_SE]
    far = [r for r in precise if abs(r["error"]) > MAX_ERROR]
    seconds = sum({(r["model"], r["task"].split("_")[1]): r["seconds"] for r in rows}.values())
    lines += ["", f"Reference inside the interval: {sum(r['inside'] for r in rows)} of {len(rows)} pairs "
              f"({100 * inside:.0f}%; target {100 * TARGET_INSIDE:.0f}%).",
              f"Pairs whose reference SE is under {PRECISE_SE:g}: {len(precise)}; of them more than "
              f"{MAX_ERROR:g} points off: {len(far)}"
              + (f" ({', '.join(r['model'] + ' ' + r['task'] for r in far)})" if far else "") + ".",
              f"Model time of the stored runs (tiny task and reference together): {seconds / 60:.0f} min on "
              "2 CPU cores."]
    if unanswered:
        lines += ["", "Not estimated, the stored run not having answered every anchor (`python -m "
                  "benchmarks.full_reference --rerun-tiny` asks them): " + "; ".join(unanswered) + "."]
    write_results(OUT, lines, {"rows": rows, "inside_share": inside, "precise_far": len(far),
                               "not_estimated": unanswered})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
