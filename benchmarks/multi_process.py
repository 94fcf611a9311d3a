"""A real multi-process lm-eval run of a tiny task: `accelerate launch
--num_processes 2` (CPU, gloo) against one process, same model, task and
documents. Each process answers part of the anchors; lm-eval gathers the
per-item results rank by rank, and the estimate, keyed by item, must be the
same as one process gives.

    python -m benchmarks.multi_process                 # tiny_arc_25, first 8 anchors, about 10 minutes
    python -m benchmarks.multi_process --limit 0       # every anchor (25-shot ARC prompts: long on 2 cores)

Writes benchmarks/results/multi_process.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.results_io import write_results  # noqa: E402
from tinytasks.packaged_models import ensure_hf_folder  # noqa: E402
from tinytasks.registry import TASK_CONFIG_DIR  # noqa: E402

METRICS = ("est_score", "est_score_stderr", "est_lower", "est_upper", "n_answered", "tiny_acc")


def run(launcher: list[str], task: str, model: Path, limit: int, out: Path, env: dict) -> tuple[dict, float]:
    cmd = [*launcher, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={model},dtype=float32",
           "--tasks", task, "--include_path", str(TASK_CONFIG_DIR), "--batch_size", "4", "--device", "cpu",
           "--output_path", str(out), "--log_samples", *(["--limit", str(limit)] if limit else [])]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")
    results = json.loads(next(out.rglob("results_*.json")).read_text())["results"][task]
    return {m: results[f"{m},none"] for m in METRICS}, seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="tiny_arc_25")
    ap.add_argument("--limit", type=int, default=8, help="anchors to run (0: all)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "multi_process"))
    a = ap.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    env.setdefault("TINYTASKS_DATA_DIR", str(ROOT.parent / "shared" / "data" / "benchmarks"))
    model = ensure_hf_folder("smollm2-135m")
    launchers = {
        "1 process": [sys.executable],
        "accelerate, 2 processes (CPU, gloo)": [sys.executable, "-m", "accelerate.commands.launch", "--cpu",
                                               "--num_processes", "2", "--num_machines", "1",
                                               "--mixed_precision", "no", "--dynamo_backend", "no"],
    }
    rows, report = [], {"task": a.task, "limit": a.limit, "model": "smollm2-135m", "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, launcher) in enumerate(launchers.items()):
            got, seconds = run(launcher, a.task, model, a.limit, Path(tmp) / str(i), env)
            report["runs"][name] = {**got, "seconds": seconds}
            rows.append(f"| {name} | {got['n_answered']:.0f} | {got['tiny_acc']:.4f} | {got['est_score']:.6f} | "
                        f"[{got['est_lower']:.6f}, {got['est_upper']:.6f}] | {got['est_score_stderr']:.6f} | "
                        f"{seconds:.0f} |")
    one, two = report["runs"].values()
    report["identical"] = all(abs(one[m] - two[m]) < 1e-9 for m in METRICS)
    lines = [f"# {a.task} on SmolLM2-135M: one process against two (accelerate launch)", "",
             f"Anchors run: {a.limit or 'all'}; OMP_NUM_THREADS=1 in both, so timings compare processes, not threads.",
             "", "| run | answered | anchor accuracy | est_score | 95% interval | stderr | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- |", *rows, "",
             f"Same estimate to 1e-9 in both: {'yes' if report['identical'] else 'NO'}"]
    write_results(a.out, lines, report)
    return 0 if report["identical"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
