"""What random folds hide: the held-out error of the shipped tasks' fit
with random 5-fold cross-validation over models beside folds grouped by the
model's owner on the hub (no organisation on both sides, as the task
reports are computed), on the same models and settings.

A model whose organisation has other models in the training folds (its own
fine-tunes, merges, re-uploads) is easier to estimate than a model from an
organisation the fit has never seen, which is what a new model usually is.
The difference is what random folds understate.

    python -m benchmarks.fold_grouping                        # every benchmark at 25 items, ~25 min on 2 cores
    python -m benchmarks.fold_grouping --benchmarks mmlu --budget 100

Writes benchmarks/results/fold_grouping.{md,json}.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from benchmarks.results_io import table_row, write_results
from maintainer.shared_data import item_table, load_source, shared_data_dir
from tinytasks.benchmark_specs import ALL_BENCHMARKS, SPECS
from tinytasks.estimators.validation import cross_validate_budgets, grouped_folds, model_owners
from tinytasks.fitting import FitSettings, eligible_indices

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "fold_grouping"
N_FOLDS = 5


def compare(bench: str, root: Path, budget: int, seed: int = 0) -> dict:
    """MAE, its organisation-bootstrap interval and coverage at `budget`
    anchors with random and with owner-grouped folds."""
    items = item_table(bench, root)
    data = load_source(bench, root, items)
    eligible = eligible_indices(data, items)
    settings = FitSettings(budget=budget, chance=SPECS[bench].chance, **dict(SPECS[bench].fit))
    owners = model_owners(data.models)
    _, counts = np.unique(owners, return_counts=True)
    row = {"models": len(data.models), "owners": int(counts.size),
           "share_with_org_mates": float(counts[counts > 1].sum() / owners.size)}
    folds = {"random": list(KFold(N_FOLDS, shuffle=True, random_state=seed).split(owners)),
             "grouped": grouped_folds(owners, N_FOLDS, seed)}
    for kind, splits in folds.items():
        t0 = time.perf_counter()
        res = cross_validate_budgets(data.responses, data.scores, settings.estimator, [budget], eligible=eligible,
                                     splits=splits, groups=owners)[budget]
        m = res.metrics.get("tiny_fully_recorded") or res.metrics["tiny"]
        row[kind] = {"mae": m["mae"], "mae_interval": m["mae_interval"], "coverage": m["coverage"],
                     "seconds": time.perf_counter() - t0}
        print(f"  {bench} {kind}: MAE {m['mae']:.3f}, coverage {m['coverage']:.3f} "
              f"({row[kind]['seconds']:.0f} s)", flush=True)
    return row


def render(report: dict) -> list[str]:
    budget = report["budget"]
    lines = [f"# Random against owner-grouped folds, {budget} anchors", "",
             f"Nested {N_FOLDS}-fold cross-validation over the shared data's models with each shipped task's fit "
             "settings; MAE over the models with every answer where a supplement leaves some without. 'range': "
             "95% bootstrap interval of the MAE resampling whole organisations. 'with org-mates': share of models "
             "whose owner has other models in the data.", "",
             table_row("benchmark", "models", "owners", "with org-mates", "random folds: MAE", "range", "coverage",
                       "grouped folds: MAE", "range", "coverage", "grouped / random"),
             table_row(*["---"] * 11)]
    for bench, r in report["benchmarks"].items():
        rand, grp = r["random"], r["grouped"]
        lines.append(table_row(
            bench, r["models"], r["owners"], f"{r['share_with_org_mates']:.2f}",
            f"{rand['mae']:.3f}", "{:.2f}-{:.2f}".format(*rand["mae_interval"]), f"{rand['coverage']:.3f}",
            f"{grp['mae']:.3f}", "{:.2f}-{:.2f}".format(*grp["mae_interval"]), f"{grp['coverage']:.3f}",
            f"{grp['mae'] / rand['mae']:.3f}"))
    return lines + [""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(ALL_BENCHMARKS))
    ap.add_argument("--budget", type=int, default=25)
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    root = shared_data_dir()
    report = {"budget": a.budget, "n_folds": N_FOLDS, "benchmarks": {}}
    for bench in a.benchmarks.split(","):
        if bench not in SPECS:
            raise SystemExit(f"unknown benchmark {bench!r}; choose from {', '.join(ALL_BENCHMARKS)}")
        report["benchmarks"][bench] = compare(bench, root, a.budget)
    write_results(a.out, render(report), report)


if __name__ == "__main__":
    main()
