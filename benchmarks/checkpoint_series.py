"""A checkpoint series as a new user would run it, on stand-ins: copies of
the packaged SmolLM2-135M with decreasing weight noise (ckpt-100 noisiest,
the last one the model itself), through lm-eval on CPU, offline.

Writes benchmarks/results/checkpoint_series/checkpoints.{md,json,png} and
prints the wall time of the first (evaluating) and second (cached) pass.

    python -m benchmarks.checkpoint_series       # ~3 min on 2 cores
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tinytasks.checkpoints import (
    checkpoint_series,
    evaluate_series,
    series_report,
    write_series,
)
from benchmarks.perturbed_checkpoints import write_perturbed_checkpoints
from tinytasks.packaged_models import ensure_hf_folder

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--noise", default="1.0,0.3,0.1,0", help="weight noise per checkpoint (x each tensor's std)")
    ap.add_argument("--tasks", default="tiny_winogrande")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--work", default="/tmp/tinytasks_checkpoint_series", help="where the copies and cache go")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "checkpoint_series"))
    a = ap.parse_args()
    work = Path(a.work)
    paths = write_perturbed_checkpoints(ensure_hf_folder("smollm2-135m"), [float(x) for x in a.noise.split(",")],
                                        work / "run")
    series = checkpoint_series("dtype=float32", paths=[str(p) for p in paths])
    tasks = a.tasks.split(",")
    kwargs = {"batch_size": 4, "device": "cpu"}
    for label in ("first pass", "second pass (cache)"):
        t0 = time.perf_counter()
        results, runs = evaluate_series("hf", series, tasks, work / "cache", a.limit, kwargs)
        print(f"{label}: {runs} lm-eval run(s), {time.perf_counter() - t0:.1f} s", flush=True)
    files = write_series(Path(a.out), "hf (SmolLM2-135M with weight noise " + a.noise + ")", series,
                         series_report(series, tasks, results))
    print(files[0].read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
