"""Held-out estimation error of tinytasks on the real shared data.

For every benchmark and item budget: MAE / RMSE / Spearman / 95% coverage of
the estimated full-benchmark score on models the estimator was not fitted on
(K-fold over models), beside the naive baselines (anchor mean x 100, and a
linear map of it), and metabench's own held-out MAE. Also: tinyBenchmarks'
pool-accuracy estimators (IRT, p-IRT, gp-IRT) when the pool is treated as the
whole benchmark, and the IRT fit time on the largest matrix.

    python -m benchmarks.estimation_error            # everything (38 min alone on 2 cores)
    python -m benchmarks.estimation_error --benchmarks mmlu --budgets 25,all
    python -m benchmarks.estimation_error --budgets half --out /tmp/half_pool   # the half-pool rows alone
    python -m benchmarks.estimation_error --anchor-method stratified --out benchmarks/results/estimation_error_stratified

Anchors below the whole pool are chosen as `tinytasks fit` chooses them
(`supervised`) unless `--anchor-method` says otherwise; the whole pool is the
same either way.

It runs with the numerical kernels of this machine; the task reports
(`python -m maintainer fit-shared`) run with AVX2 kernels pinned (tinytasks/pinned_numerics.py),
so on an AVX-512 machine the two differ in the third decimal. With the same
pinning the script gives the reports' numbers exactly (checked: MMLU and ARC
at 10 anchors):

    export OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"
    python -m benchmarks.estimation_error --benchmarks mmlu,arc --budgets 10 --out /tmp/pinned

"half" is half of each benchmark's pool: the target is to be no worse than
metabench's whole-pool figure with at most that many items.

`--update` reruns only the named benchmarks (after their calibration data or
anchors changed) and rewrites the existing results with their rows replaced
and every other benchmark's kept; the settings must match the file's:

    python -m benchmarks.estimation_error --benchmarks truthfulqa,winogrande --budgets 10,25,50,100,all --update
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from tinytasks.estimators import ANCHOR_METHODS, IRTFitter
from benchmarks.pool_score import cross_validate_pool

from benchmarks.results_io import previous_results, write_results
from tinytasks.fitting import (
    HALF_POOL,
    FitSettings,
    budget_label,
    parse_budgets,
    resolve_budget,
    validation_table,
)
from tinytasks.benchmark_specs import BENCHMARKS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

# metabench's own predictions on its held-out models (the `test` rows of its
# __scores.csv files).
METABENCH_MAE = {"arc": 1.09, "gsm8k": 1.10, "mmlu": 1.04, "truthfulqa": 0.82, "winogrande": 1.40}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--budgets", type=parse_budgets, default=(10, 25, 50, 100, HALF_POOL, None))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--dims", type=int, default=3)
    ap.add_argument("--anchor-method", default=FitSettings.anchor_method, choices=ANCHOR_METHODS)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "estimation_error"))
    ap.add_argument("--update", action="store_true",
                    help="replace only these benchmarks' rows in the existing results at --out")
    a = ap.parse_args()
    root = shared_data_dir()
    settings = FitSettings(anchor_method=a.anchor_method, n_dims=a.dims, n_folds=a.folds)
    benches = a.benchmarks.split(",")
    fresh = {"budgets": [b or "all" for b in a.budgets], "folds": a.folds, "dims": a.dims,
             "anchor_method": a.anchor_method}
    kept = previous_results(a.out, "benchmarks", fresh) if a.update else {}
    loaded = {}
    computed = {}
    for bench in benches:
        data = loaded[bench] = load_source(bench, root)
        print(f"{bench}: {len(data.models)} models x {len(data.items)} items", flush=True)
        # random folds, as cross_validate_pool's: the estimators are compared on the same kind of split
        rows = validation_table(data, np.arange(len(data.items)), settings, a.budgets,
                                progress=lambda m: print(m, flush=True), group_by_owner=False)
        pool_budgets = [resolve_budget(b, len(data.items)) for b in a.budgets]
        pool = cross_validate_pool(data.responses, [b for b in pool_budgets if b and b < len(data.items)],
                                   n_folds=a.folds)
        computed[bench] = {"n_models": len(data.models), "n_items": len(data.items),
                           "validation": rows, "pool_estimators_mae": pool}
    order = [b for b in BENCHMARKS if b in kept or b in computed]
    report = {"settings": fresh | {"benchmarks": ",".join(order)},
              "benchmarks": {b: computed.get(b, kept.get(b)) for b in order}}
    if a.update:
        report["updated"] = sorted(computed)
    lines = ["# Estimation error on held-out models (shared data)", "",
             f"{a.folds}-fold CV over models; IRT {a.dims}-D; anchors: {a.anchor_method}. Scores 0-100.", "",
             "| benchmark | budget | tinytasks MAE | RMSE | Spearman | 95% cover | linear-mean MAE | mean x100 MAE "
             "| metabench MAE (its pool) | fit s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench, r_bench in report["benchmarks"].items():
        for r in r_bench["validation"]:
            t = r["tiny"]
            lines.append(
                f"| {bench} | {budget_label(r)} | {t['mae']:.3f} | {t['rmse']:.3f} "
                f"| {t['spearman']:.4f} | {t['coverage']:.3f} | {r['linear_mean']['mae']:.3f} | {r['mean']['mae']:.2f} "
                f"| {METABENCH_MAE.get(bench, '-')} | {r['fit_seconds']:.1f} |")
    lines += ["", "## Pool accuracy from k anchors (pool = whole benchmark), MAE in points", "",
              "| benchmark | budget | anchor mean | IRT | p-IRT | gp-IRT |", "| --- | --- | --- | --- | --- | --- |"]
    for bench, r in report["benchmarks"].items():
        for k, m in r["pool_estimators_mae"].items():
            lines.append(f"| {bench} | {k} | {m['anchor_mean']:.2f} | {m['irt']:.2f} | {m['pirt']:.2f} | {m['gpirt']:.2f} |")

    for bench in BENCHMARKS:  # the timing uses the largest matrix, whichever benchmarks were validated
        if bench not in loaded:
            loaded[bench] = load_source(bench, root)
    big = max(loaded, key=lambda b: len(loaded[b].models))
    data = loaded[big]
    timing = {}
    for d in (1, 3):
        t0 = time.perf_counter()
        IRTFitter(n_dims=d).fit(data.responses)
        timing[f"{d}-D"] = time.perf_counter() - t0
    report["irt_fit_seconds"] = {"matrix": f"{big}: {data.responses.shape[0]} x {data.responses.shape[1]}", **timing}
    lines += ["", f"IRT fit time on {report['irt_fit_seconds']['matrix']}: "
              + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items()), ""]
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
