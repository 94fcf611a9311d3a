"""A real multi-process lm-eval run of a tiny task: `accelerate launch
--num_processes 2` on the CPU (gloo) against one process, same model, task
and documents. With data parallelism each process answers part of the anchors
and lm-eval gathers the per-item results rank by rank; the estimate, keyed by
item, must be the same as one process gives.

Three runs: one process; `accelerate launch` of lm-eval's `hf` backend, which
on a CPU-only machine does not split the documents (lm-eval 0.4.13 splits
only over GPUs: every process evaluates everything as rank 0); and of
`hf-cpu-dp` (`lm_eval_cpu_data_parallel.py`: `hf` with accelerate's rank and
process count, as `hf` has them on GPUs), which splits. The ranks each run
built contexts on are recorded from lm-eval's log.

    python -m benchmarks.multi_process                 # tiny_arc_25, first 12 anchors, about 12 minutes
    python -m benchmarks.multi_process --limit 0       # every anchor (25-shot ARC prompts: long on 2 cores)

Writes benchmarks/results/multi_process.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results_io import write_results
from tinytasks.packaged_models import ensure_hf_folder
from tinytasks.registry import TASK_CONFIG_DIR

ROOT = Path(__file__).resolve().parents[1]

METRICS = ("est_score", "est_score_stderr", "est_lower", "est_upper", "n_answered", "tiny_acc")


def run(launcher: list[str], backend: str, task: str, model: Path, limit: int, out: Path,
        env: dict) -> tuple[dict, float, list[int]]:
    cmd = [*launcher, "--model", backend, "--model_args", f"pretrained={model},dtype=float32",
           "--tasks", task, "--include_path", str(TASK_CONFIG_DIR), "--batch_size", "4", "--device", "cpu",
           "--output_path", str(out), "--log_samples", *(["--limit", str(limit)] if limit else [])]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")
    results = json.loads(next(out.rglob("results_*.json")).read_text())["results"][task]
    ranks = sorted(int(r) for r in re.findall(rf"Building contexts for {task} on rank (\d+)", done.stderr))
    return {m: results[f"{m},none"] for m in METRICS}, seconds, ranks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="tiny_arc_25")
    ap.add_argument("--limit", type=int, default=12, help="anchors to run (0: all)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "multi_process"))
    a = ap.parse_args()
    # ACCELERATE_USE_CPU: accelerate's processes form a gloo group on the CPU (MULTI_CPU) instead of each
    # running alone.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "ACCELERATE_USE_CPU": "true"}
    env.setdefault("TINYTASKS_DATA_DIR", str(ROOT.parent / "shared" / "data" / "benchmarks"))
    model = ensure_hf_folder("smollm2-135m")
    accelerate = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                  "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    worker = str(ROOT / "benchmarks" / "lm_eval_cpu_data_parallel.py")
    runs = {
        "1 process, hf": ([sys.executable, "-m", "lm_eval"], "hf"),
        "accelerate, 2 processes, hf": ([*accelerate, "-m", "lm_eval"], "hf"),
        "accelerate, 2 processes, hf-cpu-dp": ([*accelerate, worker], "hf-cpu-dp"),
    }
    rows, report = [], {"task": a.task, "limit": a.limit, "model": "smollm2-135m", "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, (launcher, backend)) in enumerate(runs.items()):
            got, seconds, ranks = run(launcher, backend, a.task, model, a.limit, Path(tmp) / str(i), env)
            report["runs"][name] = {**got, "seconds": seconds, "ranks": ranks}
            rows.append(f"| {name} | {', '.join(map(str, ranks))} | {got['n_answered']:.0f} | {got['tiny_acc']:.4f} | "
                        f"{got['est_score']:.6f} | [{got['est_lower']:.6f}, {got['est_upper']:.6f}] | "
                        f"{got['est_score_stderr']:.6f} | {seconds:.0f} |")
    one, *others = report["runs"].values()
    report["identical"] = all(abs(one[m] - o[m]) < 1e-9 for o in others for m in METRICS)
    report["split"] = report["runs"]["accelerate, 2 processes, hf-cpu-dp"]["ranks"] == [0, 1]
    lines = [f"# {a.task} on SmolLM2-135M: one process against two (accelerate launch, CPU, gloo)", "",
             f"Anchors run: {a.limit or 'all'}; OMP_NUM_THREADS=1 in every process, so timings compare processes, "
             "not threads. Ranks: the ranks lm-eval built the task's contexts on (one entry per process).", "",
             "| run | ranks | answered | anchor accuracy | est_score | 95% interval | stderr | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |", *rows, "",
             f"Same estimate to 1e-9 in every run: {'yes' if report['identical'] else 'NO'}; documents split over "
             f"two ranks with hf-cpu-dp: {'yes' if report['split'] else 'NO'}"]
    write_results(a.out, lines, report)
    return 0 if report["identical"] and report["split"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
