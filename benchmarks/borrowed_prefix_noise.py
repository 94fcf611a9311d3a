"""What borrowed few-shot prefixes could cost the estimate, and whether the
items that need one earn their place.

Items of tinyBenchmarks' (ATLAS's) without a known leaderboard prompt would
be asked with another item's few-shot prefix, so a model may answer them
differently from the way the calibration models did. Every such item that
`atlas/tiny_item_rows` places in the benchmark file is tried here, whether
or not the benchmark's spec takes them (`atlas_rows`). On the calibration
models, 5-fold cross-validation over models (anchors chosen inside each
fold, as shipped) compares, at 100 items and on held-out models that
answered every item:

- the pool without those items (their exact prompts known: what the task
  can ask as the leaderboard did);
- the pool with them, each held-out answer to a borrowed-prefix anchor
  replaced, with probability r, by the answer of a random one of the 25
  training models nearest in full score (a fresh draw at the same
  strength: what a prompt that changes the answer beyond the model's
  ability would do), for r = 0 (no cost) up to r = 1 (the prefix decides
  the answer completely, given the ability).

The re-draw rate the packaged models show is read from
borrowed_prompts.json where it exists: with agreement a between the own
and the borrowed prefix's answers and accuracies p1, p2, r = (1 - a) /
(1 - q), q = p1 p2 + (1 - p1)(1 - p2) the agreement of independent draws.

    python -m benchmarks.borrowed_prefix_noise --folds 3    # about 12 minutes on 2 cores
    python -m benchmarks.borrowed_prefix_noise --benchmarks hellaswag --folds 2

Writes benchmarks/results/borrowed_prefix_noise.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from benchmarks.results_io import table_row, write_results
from maintainer.shared_data import item_table, load_source, shared_data_dir
from tinytasks.benchmark_specs import SPECS, CalibrationSource, atlas_matrix, atlas_row_map
from tinytasks.estimators.metrics import score_metrics
from tinytasks.fitting import FitSettings, eligible_indices

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "borrowed_prefix_noise"
PROMPTS = ROOT / "benchmarks" / "results" / "borrowed_prompts.json"
BENCHMARKS = ("hellaswag", "winogrande", "arc", "gsm8k")
RATES = (0.0, 0.1, 0.25, 0.5, 1.0)
BUDGET = 100
NEIGHBOURS = 25


def redraw_rates(path: Path = PROMPTS) -> dict[str, dict[str, float]]:
    """{benchmark: {model: r}} implied by borrowed_prompts.json (empty if absent)."""
    if not path.exists():
        return {}
    out = {}
    for bench, models in json.loads(path.read_text()).items():
        for model, r in models.items():
            p1, p2 = r["accuracy_own"], r["accuracy_borrowed"]
            q = p1 * p2 + (1 - p1) * (1 - p2)
            out.setdefault(bench, {})[model] = min(1.0, (1 - r["agreement"]) / (1 - q))
    return out


def redrawn(y_test: np.ndarray, s_test: np.ndarray, y_train: np.ndarray, s_train: np.ndarray, cols: np.ndarray,
            rate: float, rng: np.random.Generator) -> np.ndarray:
    """`y_test` with each answer in `cols` replaced, with probability `rate`,
    by a random one of the NEIGHBOURS training models nearest in score (among
    those that answered every column of `cols`)."""
    out = y_test.copy()
    if rate == 0 or cols.size == 0:
        return out
    donors = np.flatnonzero(~np.isnan(y_train[:, cols]).any(1))
    dist = np.abs(s_test[:, None] - s_train[donors][None, :])
    near = donors[np.argpartition(dist, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]]  # (test models, NEIGHBOURS)
    pick = near[np.arange(len(s_test))[:, None], rng.integers(0, NEIGHBOURS, size=(len(s_test), cols.size))]
    swap = rng.random((len(s_test), cols.size)) < rate
    out[:, cols] = np.where(swap, y_train[pick, cols[None, :]], y_test[:, cols])
    return out


def with_every_mapped_item(bench: str) -> CalibrationSource:
    """The benchmark's calibration source with ATLAS's matrix as a supplement
    and every column its row map places in the benchmark file."""
    src = SPECS[bench].calibration
    return replace(src, supplements=tuple(dict.fromkeys((*src.supplements, atlas_matrix(bench)))),
                   supplement_rows=(atlas_row_map(bench),))


def study(bench: str, root: Path, n_folds: int, seed: int = 0) -> dict:
    src = with_every_mapped_item(bench)
    items = item_table(bench, root, src)
    data = load_source(bench, root, items, src)
    y, s = data.responses, data.scores
    eligible = eligible_indices(data, items)
    borrowed_items = set(items.loc[items["prefix_from"] != "", "item"])
    is_borrowed = np.array([c in borrowed_items for c in data.items])
    own = eligible[~is_borrowed[eligible]]
    complete = ~np.isnan(y).any(1)
    settings = FitSettings(budget=BUDGET, chance=SPECS[bench].chance, **dict(SPECS[bench].fit))
    rng = np.random.default_rng(seed)
    preds = {name: np.full((3, s.size), np.nan) for name in ["own prefixes only", *(f"r={r:g}" for r in RATES)]}
    borrowed_anchors = []
    t0 = time.perf_counter()
    for fold, (train, test) in enumerate(KFold(n_folds, shuffle=True, random_state=seed).split(y)):
        test = test[complete[test]]
        fits = {"own prefixes only": settings.estimator(min(BUDGET, own.size)).fit(y[train], s[train], own),
                "borrowed": settings.estimator(min(BUDGET, eligible.size)).fit(y[train], s[train], eligible)}
        res = fits["own prefixes only"].predict(y[test][:, fits["own prefixes only"].anchors_.items])
        preds["own prefixes only"][:, test] = res.score, res.lower, res.upper
        anchors = fits["borrowed"].anchors_.items
        cols = anchors[is_borrowed[anchors]]
        borrowed_anchors.append(int(cols.size))
        for r in RATES:
            ya = redrawn(y[test], s[test], y[train], s[train], cols, r, rng)[:, anchors]
            res = fits["borrowed"].predict(ya)
            preds[f"r={r:g}"][:, test] = res.score, res.lower, res.upper
        print(f"  {bench}: fold {fold + 1}/{n_folds} ({time.perf_counter() - t0:.0f} s)", flush=True)
    tested = ~np.isnan(preds["own prefixes only"][0])
    rows = {name: score_metrics(p[0, tested], s[tested], p[1, tested], p[2, tested]) for name, p in preds.items()}
    return {"models_tested": int(tested.sum()), "pool_items": int(eligible.size), "own_prefix_items": int(own.size),
            "borrowed_anchors_per_fold": borrowed_anchors, "seconds": time.perf_counter() - t0, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()
    root = shared_data_dir()
    rates = redraw_rates()
    lines = ["# What borrowed few-shot prefixes could cost", "",
             f"Generated by `python -m benchmarks.borrowed_prefix_noise`: {a.folds}-fold cross-validation over the "
             f"calibration models at {BUDGET} items (anchors chosen inside each fold), scored on the held-out models "
             "that answered every pool item. 'own prefixes only': the pool without the items that need a borrowed "
             "prefix. 'r': the share of held-out answers to borrowed-prefix anchors replaced by a random one of the "
             f"{NEIGHBOURS} training models nearest in full score (r = 0: the borrowed prefix costs nothing; r = 1: "
             "it decides the answer, given the model's strength).", ""]
    if rates:
        implied = "; ".join(f"{b}: " + ", ".join(f"{m} {r:.2f}" for m, r in ms.items()) for b, ms in rates.items())
        lines += [f"Re-draw rates the packaged models show (`borrowed_prompts.md`): {implied}.", ""]
    lines += ["| benchmark | pool items | borrowed anchors per fold | setting | MAE | RMSE | Spearman | 95% coverage "
              "| mean width |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    report = {"settings": {"folds": a.folds, "budget": BUDGET, "neighbours": NEIGHBOURS}, "implied_rates": rates}
    for bench in a.benchmarks.split(","):
        r = report[bench] = study(bench, root, a.folds)
        for name, m in r["rows"].items():
            lines.append(table_row(bench, r["own_prefix_items"] if name.startswith("own") else r["pool_items"],
                                   "-" if name.startswith("own") else f"{np.mean(r['borrowed_anchors_per_fold']):.0f}",
                                   name, f"{m['mae']:.3f}", f"{m['rmse']:.3f}", f"{m['spearman']:.4f}",
                                   f"{m['coverage']:.3f}", f"{m['mean_interval_width']:.2f}"))
    write_results(OUT, lines, report)


if __name__ == "__main__":
    main()
