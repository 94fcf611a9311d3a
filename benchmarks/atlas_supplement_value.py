"""What ATLAS's extra items are worth, and what only the ones without text
would add, measured with a plain model-agnostic probe.

On the models found in both the metabench pool and the ATLAS matrix of a
benchmark, 5-fold cross-validated MAE of a ridge regression from raw answers
to the full score, with three sets of answers: the metabench pool alone; plus
ATLAS's items whose text is known (through metabench's item tables or the
row map atlas/tiny_item_rows: the items a pool could take, with their exact
prompt or a borrowed one; an item without text cannot be asked); plus every
ATLAS item.
The probe is not the shipped estimator, only a yardstick for the items.

    python -m benchmarks.atlas_supplement_value      # ~1 min
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_predict
from tinytasks.estimators.tables import load_calibration_data, read_responses_csv

from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import SPECS, atlas_matrix, atlas_row_map
from maintainer.shared_data import shared_data_dir

ROOT = Path(__file__).resolve().parents[1]


def ridge_mae(x: np.ndarray, y: np.ndarray, seed: int) -> float:
    pred = cross_val_predict(RidgeCV(alphas=np.logspace(-1, 3, 20)), x, y,
                             cv=KFold(5, shuffle=True, random_state=seed))
    return float(np.abs(pred - y).mean())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default="arc,gsm8k,hellaswag,truthfulqa,winogrande")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "atlas_supplement_value"))
    a = ap.parse_args()
    root = shared_data_dir()
    lines = ["# What ATLAS's extra items are worth (ridge probe, 5-fold CV MAE on the models in both files)", "",
             "| benchmark | models in both | pool items | ATLAS items not in the pool | of them with text "
             "| MAE pool | + items with text | + every ATLAS item |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    report = {}
    for bench in a.benchmarks.split(","):
        src = SPECS[bench].calibration
        pool = load_calibration_data([root / r for r in src.responses], root / src.scores, src.score_column,
                                     src.model_column)
        atlas = read_responses_csv(root / atlas_matrix(bench))
        both = [m for m in pool.models if m in atlas.index]
        rows = np.isin(pool.models, both)
        x_pool, y = pool.responses[rows], pool.scores[rows]
        new = [c for c in atlas.columns if c not in pool.items]
        with_text = set().union(*(pd.read_parquet(root / p)[src.id_column].astype(str) for p in src.items_parquets),
                                pd.read_csv(root / atlas_row_map(bench), dtype={"item": str})["item"])
        known = [c for c in new if c in with_text]
        x_text = np.hstack([x_pool, atlas.loc[both, known].to_numpy(float)])
        x_all = np.hstack([x_pool, atlas.loc[both, new].to_numpy(float)])
        if np.isnan(x_all).any():
            raise ValueError(f"{bench}: ATLAS has missing answers for models in both files")
        maes = [ridge_mae(x, y, a.seed) for x in (x_pool, x_text, x_all)]
        report[bench] = {"models_in_both": len(both), "pool_items": len(pool.items), "atlas_new_items": len(new),
                         "atlas_new_items_with_text": len(known),
                         "mae": dict(zip(("pool", "pool_plus_text", "pool_plus_all_atlas"), maes))}
        lines.append(table_row(bench, len(both), len(pool.items), len(new), len(known),
                               *(f"{m:.3f}" for m in maes)))
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    raise SystemExit(main())
