"""What a borrowed few-shot prefix costs. The leaderboard drew each item's
few-shot examples from the train split, item by item, and the exact prompts
are known only for metabench's items; an item of tinyBenchmarks' (ATLAS's)
without one would be asked with another item's prefix. On items whose
leaderboard prompt is known, the packaged models answer once with the item's
own prefix and once with a borrowed one (the next sampled item's), through
lm-eval, offline; the table gives per-item agreement of the two answers and
the accuracy with each.

    python -m benchmarks.borrowed_prompts --benchmarks winogrande,hellaswag --items 60

Writes benchmarks/results/borrowed_prompts.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.results_io import table_row, write_results
from tinytasks.lm_eval_tasks import load_tiny_dataset
from tinytasks.item_texts import read_item_texts
from tinytasks.packaged_models import ensure_hf_folder
from tinytasks.registry import TASK_CONFIG_DIR, task_name
from tinytasks.results_files import read_samples, task_answers

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "borrowed_prompts"
BATCH = {"smollm2-135m": "8", "gemma3-270m": "2"}

LOADER = '''"""The sampled items with their own or a borrowed few-shot prefix."""
import json
from pathlib import Path

from tinytasks.lm_eval_tasks import as_test_split


def load(variant="own", **_ignored):
    return as_test_split(json.loads(Path(__file__).with_name(f"{variant}.json").read_text()))
'''


def write_variants(bench: str, n: int, folder: Path, seed: int = 0) -> None:
    """Two tasks in `folder` asking the same sampled items of the benchmark's
    whole-pool task that have their own leaderboard prefix, with it and with
    the next sampled item's."""
    pool_task = task_name(bench, None)
    borrowing = {k for k, v in read_item_texts(TASK_CONFIG_DIR / "items" / f"{bench}.json.gz").items()
                 if v.get("prefix_from")}
    docs = [d for d in load_tiny_dataset(pool_task)["test"] if d["fewshot_prefix"] and d["key"] not in borrowing]
    rng = np.random.default_rng(seed)
    picked = [docs[i] for i in rng.choice(len(docs), size=min(n, len(docs)), replace=False)]
    borrowed = [{**d, "fewshot_prefix": picked[(i + 1) % len(picked)]["fewshot_prefix"]} for i, d in enumerate(picked)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "variant_items.py").write_text(LOADER)
    for variant, rows in (("own", picked), ("borrowed", borrowed)):
        (folder / f"{variant}.json").write_text(json.dumps(rows))
        (folder / f"{bench}_{variant}.yaml").write_text(
            f"include: {TASK_CONFIG_DIR / pool_task / (pool_task + '.yaml')}\n"
            f"task: {bench}_{variant}\n"
            "custom_dataset: !function variant_items.load\n"
            f"dataset_kwargs:\n  variant: {variant}\n")


def run_variants(bench: str, model: str, n: int, work: Path, reuse: bool = False) -> dict:
    """Run both variants (or, with `reuse`, read the samples an earlier run
    left in `work`; its time is then unknown) and compare the answers."""
    folder = work / bench
    out = work / f"{bench}_{model}"
    reused = reuse and all(any(out.rglob(f"samples_{bench}_{v}_*.jsonl")) for v in ("own", "borrowed"))
    if not (reuse and (folder / "own.json").exists()):  # the items an earlier run asked, where reused
        write_variants(bench, n, folder)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    t0 = time.perf_counter()
    if not reused:
        subprocess.run([str(Path(sys.executable).with_name("lm_eval")), "--include_path", str(folder), "--tasks",
                        f"{bench}_own,{bench}_borrowed", "--model", "hf", "--model_args",
                        f"pretrained={ensure_hf_folder(model)},dtype=float32", "--batch_size", BATCH[model],
                        "--device", "cpu", "--output_path", str(out), "--log_samples"],
                       env=env, check=True, capture_output=True)
    answers = {}
    asked_as = json.loads((folder / "own.json").read_text())[0]["tiny_task"]  # the pool task the items came from
    for variant in ("own", "borrowed"):
        (samples,) = out.rglob(f"samples_{bench}_{variant}_*.jsonl")
        answers[variant] = task_answers(read_samples(samples), asked_as, samples.name)
    keys = sorted(answers["own"])
    own = np.array([answers["own"][k] for k in keys])
    other = np.array([answers["borrowed"][k] for k in keys])
    return {"items": len(keys), "agreement": float((own == other).mean()), "accuracy_own": float(own.mean()),
            "accuracy_borrowed": float(other.mean()), "seconds": None if reused else time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default="winogrande,hellaswag")
    ap.add_argument("--models", default="smollm2-135m,gemma3-270m")
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--work", default="/tmp/tinytasks_borrowed")
    ap.add_argument("--reuse", action="store_true", help="read the samples of runs already in --work")
    ap.add_argument("--skip", default="", help="benchmark:model pairs not to run, comma-separated (listed as not run)")
    a = ap.parse_args()
    skip = {tuple(p.split(":", 1)) for p in a.skip.split(",") if p}
    lines = ["# What a borrowed few-shot prefix costs", "",
             f"Generated by `python -m benchmarks.borrowed_prompts`: {a.items} items per benchmark whose leaderboard "
             "prompt is known, asked with their own few-shot prefix and with another sampled item's, by the packaged "
             "models through lm-eval (CPU, offline). Agreement: share of items answered the same way (right or "
             "wrong) under both.", "",
             "| benchmark | model | items | agreement | accuracy, own prefix | accuracy, borrowed | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    report = {}
    for bench in a.benchmarks.split(","):
        for model in a.models.split(","):
            if (bench, model) in skip:
                lines.append(table_row(bench, model, "not run", "-", "-", "-", "-"))
                continue
            r = report.setdefault(bench, {})[model] = run_variants(bench, model, a.items, Path(a.work), a.reuse)
            lines.append(table_row(bench, model, r["items"], f"{r['agreement']:.3f}", f"{r['accuracy_own']:.3f}",
                                   f"{r['accuracy_borrowed']:.3f}",
                                   "-" if r["seconds"] is None else f"{r['seconds']:.0f}"))
    write_results(OUT, lines, report)


if __name__ == "__main__":
    main()
