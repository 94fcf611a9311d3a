"""What tiny saves: per task, the requests a tiny task asks and its wall
time, against the full benchmark, on the packaged SmolLM2-135M through
lm-eval on CPU (float32, batch size 8, offline).

Wall time is lm-eval's `evaluate` on a task already built: the model and
the documents are loaded before the clock starts. Tiny tasks: each run once.
Full benchmarks: a seeded uniform random sample of their items in the same
prompt format (`reference_tasks/`), timed in chunks of CHUNK items; the full
benchmark's time is extrapolated as its size times the mean time per item
over the chunks (with that mean's standard error), and the table says so. Requests
are counted from the documents: one per answer choice for multiple-choice
items, one per item for GSM8K's generations.

    python -m benchmarks.tiny_savings --tasks tiny_winogrande,tiny_mmlu,tiny_truthfulqa --sample 0
    python -m benchmarks.tiny_savings --tasks tiny_arc,tiny_hellaswag,tiny_gsm8k --limit 20 --sample 0
    python -m benchmarks.tiny_savings --tasks tiny_leaderboard    # the samples; 18 min for all three on 2 cores

Every run is stored in results/tiny_savings/<task>.json (a rerun skips what
is stored; --again reruns); the table of all stored runs is rewritten to
results/tiny_savings.md and .json, and a lineup whose six tasks were all run
is written as one lm-eval results file, results_<group>.json (`tinytasks
average` reads it). Run it alone: timings taken while other
work shares the cores are meaningless.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.reference_tasks import reference
from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import SPECS
from tinytasks.lm_eval_tasks import load_tiny_dataset
from tinytasks.registry import BENCHMARK_OF_TASK, GROUPS, TASK_CONFIG_DIR

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "benchmarks" / "reference_tasks"

OUT = ROOT / "benchmarks" / "results" / "tiny_savings"
MODEL = "smollm2-135m"
BATCH_SIZE = 8
REFERENCE_TASK = {"arc": "arc_reference", "hellaswag": "hellaswag_reference", "mmlu": "mmlu_reference",
                  "truthfulqa": "truthfulqa_mc2_reference", "winogrande": "winogrande_reference",
                  "gsm8k": "gsm8k_reference"}
REFERENCE_LOADER = {"arc": reference.load_arc, "hellaswag": reference.load_hellaswag, "mmlu": reference.load_mmlu,
                    "truthfulqa": reference.load_truthfulqa, "winogrande": reference.load_winogrande,
                    "gsm8k": reference.load_gsm8k}
# Sample sizes per benchmark: smaller where an item costs most (ARC's 25 shots, GSM8K's generations).
SAMPLE = {"arc": 10, "hellaswag": 10, "mmlu": 20, "truthfulqa": 10, "winogrande": 20, "gsm8k": 10}
CHUNK = 5  # items per timed run of a sample: enough to fill a batch, several runs for a standard error


def _model():
    from lm_eval.models.huggingface import HFLM

    from tinytasks.packaged_models import ensure_hf_folder

    return HFLM(pretrained=str(ensure_hf_folder(MODEL)), dtype="float32", batch_size=BATCH_SIZE, device="cpu")


def _task_dict(task: str) -> dict:
    from lm_eval.tasks import TaskManager, get_task_dict

    tm = TaskManager(include_path=[str(TASK_CONFIG_DIR), str(REFERENCE_DIR)], include_defaults=False)
    return get_task_dict([task], tm)


def _timed(lm, task_dict: dict, samples: dict | None = None, limit: int | None = None) -> tuple[float, dict]:
    from lm_eval.evaluator import evaluate

    t0 = time.perf_counter()
    res = evaluate(lm, task_dict, samples=samples, limit=limit, log_samples=False)
    return time.perf_counter() - t0, res


def run_tiny(lm, task: str, limit: int | None = None) -> dict:
    """One timed run of `task`; with `limit`, of its first `limit` documents
    only, the time scaled to all of them (and said so in the row)."""
    bench = BENCHMARK_OF_TASK[task]
    docs = load_tiny_dataset(task)["test"]
    timed = len(docs) if limit is None else min(limit, len(docs))
    seconds, res = _timed(lm, _task_dict(task), limit=None if timed == len(docs) else timed)
    r = res["results"][task]
    row = {"task": task, "benchmark": bench, "items": len(docs),
           "requests": sum(SPECS[bench].requests(d) for d in docs), "seconds": seconds * len(docs) / timed,
           "timed_items": timed, "measured_seconds": seconds}
    if timed == len(docs):  # a partial run's estimate is not the task's
        row |= {"est_score": r["est_score,none"], "est_lower": r["est_lower,none"], "est_upper": r["est_upper,none"],
                "results": r}
    return row


def run_full_sample(lm, bench: str, n: int, seed: int) -> dict:
    docs = REFERENCE_LOADER[bench]()["test"]
    idx = sorted(np.random.default_rng(seed).choice(len(docs), n, replace=False).tolist())
    task = REFERENCE_TASK[bench]
    task_dict = _task_dict(task)
    per_item = []
    for start in range(0, n, CHUNK):
        chunk = idx[start:start + CHUNK]
        seconds, _ = _timed(lm, task_dict, samples={task: chunk})
        per_item.append(seconds / len(chunk))
        print(f"  {task} docs {chunk}: {seconds:.1f}s", flush=True)
    per_item = np.array(per_item)
    return {"benchmark": bench, "items": len(docs), "requests": sum(SPECS[bench].requests(d) for d in docs),
            "sample": n, "seed": seed, "chunk": CHUNK, "seconds_per_item_by_chunk": per_item.tolist(),
            "seconds": float(len(docs) * per_item.mean()),
            "seconds_se": float(len(docs) * per_item.std(ddof=1) / np.sqrt(per_item.size))}


def table(rows: dict, full: dict) -> list[str]:
    lines = ["# What tiny saves: SmolLM2-135M on 2 CPU cores (lm-eval 0.4.13, float32, batch size 8)", "",
             "Requests: lm-eval requests (one per answer choice; GSM8K one generation per item). Tiny task: one "
             "timed run (where marked, of its first items only, the time scaled to all of them). Full benchmark: "
             "time **extrapolated** from a seeded uniform random sample of its items in the same prompt format, "
             f"timed in runs of {CHUNK} items (benchmark size x mean time per item, +- its standard error). Times "
             "exclude loading the model and the documents.", "",
             "| task | items | requests | wall time | full benchmark: items | requests | wall time (extrapolated) "
             "| share of requests | time saved |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for task, r in rows.items():
        f = full.get(r["benchmark"])
        tiny_time = f"{r['seconds'] / 60:.1f} min"
        if r.get("timed_items", r["items"]) < r["items"]:
            tiny_time += f" (extrapolated from its first {r['timed_items']} items)"
        if f is None:
            lines.append(table_row(f"`{task}`", r["items"], f"{r['requests']:,}", tiny_time, "-", "-", "-", "-", "-"))
            continue
        lines.append(table_row(
            f"`{task}`", r["items"], f"{r['requests']:,}", tiny_time, f"{f['items']:,}",
            f"{f['requests']:,}", f"{f['seconds'] / 3600:.2f} h +- {f['seconds_se'] / 3600:.2f} "
            f"(sample of {f['sample']})", f"{100 * r['requests'] / f['requests']:.1f}%",
            f"{f['seconds'] / r['seconds']:.0f}x"))
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="tiny_leaderboard", help="tasks or groups, comma-separated")
    ap.add_argument("--sample", type=float, default=1.0,
                    help="scale of the full-benchmark samples (1: the default sizes; 0: none)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--again", action="store_true", help="rerun what is stored")
    ap.add_argument("--limit", type=int, default=None,
                    help="time only each task's first N documents and scale the time to all of them")
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TINYTASKS_DATA_DIR", str(ROOT.parent / "shared" / "data" / "benchmarks"))
    tasks = [t for name in a.tasks.split(",") for t in GROUPS.get(name, [name])]
    unknown = [t for t in tasks if t not in BENCHMARK_OF_TASK]
    if unknown:
        raise SystemExit(f"unknown tiny tasks {unknown}; known: {sorted(BENCHMARK_OF_TASK)} or {list(GROUPS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    lm = None
    t_start = time.perf_counter()
    for task in tasks:
        path = OUT / f"{task}.json"
        if path.exists() and not a.again:
            continue
        lm = lm or _model()
        print(f"{task}: running", flush=True)
        row = run_tiny(lm, task, a.limit)
        path.write_text(json.dumps(row, indent=1, default=str) + "\n")
        print(json.dumps(row, default=str), flush=True)
    if a.sample > 0:
        for bench in dict.fromkeys(BENCHMARK_OF_TASK[t] for t in tasks):
            path = OUT / f"full_{bench}.json"
            if path.exists() and not a.again:
                continue
            lm = lm or _model()
            print(f"{bench}: timing a random sample of the full benchmark", flush=True)
            row = run_full_sample(lm, bench, max(2, round(a.sample * SAMPLE[bench])), a.seed)
            path.write_text(json.dumps(row, indent=1, default=str) + "\n")
            print(json.dumps(row, default=str), flush=True)
    print(f"done in {(time.perf_counter() - t_start) / 60:.1f} min", flush=True)
    rows = {p.stem: json.loads(p.read_text()) for p in sorted(OUT.glob("tiny_*.json"))}  # one per task run
    order = {t: i for i, t in enumerate(t for g in GROUPS.values() for t in g)}
    rows = dict(sorted(rows.items(), key=lambda kv: order.get(kv[0], len(order))))
    full = {json.loads(p.read_text())["benchmark"]: json.loads(p.read_text()) for p in OUT.glob("full_*.json")}
    for group, members in GROUPS.items():  # a lineup's runs as one lm-eval results file, for `tinytasks average`
        if all("results" in rows.get(t, {}) for t in members):
            doc = {"results": {t: rows[t]["results"] for t in members}, "model_name": MODEL,
                   "config": {"model_args": f"{MODEL} (packaged), dtype=float32"}}
            (OUT / f"results_{group}.json").write_text(json.dumps(doc, indent=1) + "\n")
    write_results(ROOT / "benchmarks" / "results" / "tiny_savings", table(rows, full), {"tiny": rows, "full": full})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
