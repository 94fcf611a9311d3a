"""Which anchors to ask below the whole pool, and with how many calibration models.

Stratified anchors (one per difficulty stratum) against supervised ones (the
items whose answers best predict the calibration models' full scores,
`estimators.anchors`), each with the rest of tinytasks unchanged, on the same
5 folds over models. The calibration side of every fold is cut to a random
`--sizes` models (all: the whole training fold), since a supervised choice
can fit the noise of few models; the test side is always the whole fold.
With fewer than SUPERVISED_MIN_MODELS_PER_ANCHOR models per anchor the
shipped `supervised` method falls back to stratified; this script asks for
the pursuit itself there, to show why.

    python -m benchmarks.anchor_choice                        # MMLU, ~5 min on 2 cores
    python -m benchmarks.anchor_choice --benchmarks mmlu,winogrande --sizes 300,all --budgets 25
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold
from tinytasks.estimators import TinyEstimator, anchors
from tinytasks.estimators.validation import cross_validate_budgets

from benchmarks.results_io import table_row, write_results
from tinytasks.fitting import parse_budgets, resolve_budget
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

METHODS = ("stratified", "supervised")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default="mmlu")
    ap.add_argument("--budgets", type=parse_budgets, default=("half",))
    ap.add_argument("--sizes", default="100,300,500,all", help="calibration models per fold ('all': the fold)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "anchor_choice"))
    a = ap.parse_args()
    anchors.SUPERVISED_MIN_MODELS_PER_ANCHOR = 0  # measure the pursuit itself at every size
    lines = ["# Stratified vs supervised anchors, by number of calibration models (shared data)", "",
             f"{a.folds}-fold CV over models, 3-D IRT; calibration cut to a random n models per fold, test on the "
             "whole held-out fold. MAE in leaderboard points, cover = 95% interval coverage.", "",
             "| benchmark | anchors | calibration models | models per anchor | stratified MAE | supervised MAE "
             "| stratified cover | supervised cover |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    report = {"settings": {"folds": a.folds, "sizes": a.sizes, "budgets": [str(b) for b in a.budgets]},
              "benchmarks": {}}
    for bench in a.benchmarks.split(","):
        data = load_source(bench, shared_data_dir())
        budgets = [resolve_budget(b, len(data.items)) for b in a.budgets]
        folds = list(KFold(a.folds, shuffle=True, random_state=0).split(data.responses))
        rows = report["benchmarks"][bench] = []
        for size in a.sizes.split(","):
            rng = np.random.default_rng(0)
            splits = [(tr if size == "all" else np.sort(rng.choice(tr, int(size), replace=False)), te)
                      for tr, te in folds]
            n_cal = int(np.mean([tr.size for tr, _ in splits]))
            res = {m: cross_validate_budgets(data.responses, data.scores,
                                             lambda b, m=m: TinyEstimator(b, m, 3), budgets, splits=splits,
                                             progress=lambda msg: print(f"  {bench} n={size}: {msg}", flush=True))
                   for m in METHODS}
            for b in budgets:
                got = {m: res[m][b].metrics["tiny"] for m in METHODS}
                rows.append({"budget": b, "calibration_models": n_cal} | {m: got[m] for m in METHODS})
                lines.append(table_row(bench, b, n_cal, f"{n_cal / b:.0f}",
                                       *(f"{got[m]['mae']:.3f}" for m in METHODS),
                                       *(f"{got[m]['coverage']:.3f}" for m in METHODS)))
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
