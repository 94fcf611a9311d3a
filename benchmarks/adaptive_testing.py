"""Adaptive testing vs fixed anchors on held-out real models.

Per benchmark: one 80/20 split over models (the first of 5 seeded folds).
On the 80%: the whole-pool estimator, its adaptive score maps
(`fit_adaptive`, as shipped), and fixed-anchor estimators with 25, 40 and
100 anchors chosen as `tinytasks fit` chooses them (supervised; the IRT fit
is shared; `--fixed-anchor-method stratified` is how the results before
session 16 were run). On the 20%: each model's known
answers are replayed as an adaptive test (`simulate_adaptive`), and the
estimate after k items is compared with its real full score; also a random
choice of items scored by the same maps, and a stop at a target SE.

    python -m benchmarks.adaptive_testing                     # all six (~35 min on 2 cores)
    python -m benchmarks.adaptive_testing --benchmarks mmlu
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold
from tinytasks.estimators import ANCHOR_METHODS, IRTFitter, TinyEstimator, score_metrics
from tinytasks.estimators.adaptive import AdaptiveSettings, simulate_adaptive

from benchmarks.results_io import table_row, write_results
from tinytasks.fitting import FitSettings
from tinytasks.benchmark_specs import BENCHMARKS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

LENGTHS = (10, 20, 30, 40, 60)
FIXED = (25, 40, 100)
TARGET_SE = 2.0


def _metrics(res, truth) -> dict:
    m = score_metrics(res.score, truth, res.lower, res.upper)
    inside = (res.lower <= truth) & (truth <= res.upper)
    top = truth >= np.quantile(truth, 0.9)  # where intervals without an extrapolation guard fall short
    return m | {"misfit_share": float(res.misfit.mean()), "extrapolated_share": float(res.extrapolated.mean()),
                "coverage_top_decile": float(inside[top].mean())}


def split_and_fit(y: np.ndarray, s: np.ndarray, anchor_method: str, seed: int = 0):
    """This benchmark's split over models (the first of 5 seeded folds) and,
    on its 80%, the 3-D IRT fit and the whole-pool estimator:
    (train, test, irt, estimator)."""
    train, test = next(KFold(5, shuffle=True, random_state=seed).split(y))
    irt = IRTFitter(n_dims=3, seed=seed).fit(y[train])
    return train, test, irt, TinyEstimator(None, anchor_method, 3, seed).fit(y[train], s[train], irt=irt)


def run_benchmark(bench: str, root: Path, fixed_method: str, seed: int = 0) -> dict:
    data = load_source(bench, root)
    y, s = data.responses, data.scores
    t0 = time.perf_counter()
    train, test, irt, est = split_and_fit(y, s, fixed_method, seed)
    est.fit_adaptive(y[train], s[train])
    fit_seconds = time.perf_counter() - t0
    truth = s[test]
    answers = y[test][:, est.anchors_.items]
    out = {"n_models": int(len(y)), "n_test": int(test.size), "pool": int(y.shape[1]),
           "fit_seconds_with_adaptive_maps": fit_seconds, "fixed": {}, "adaptive": {}, "random_items": {}}
    for k in FIXED:
        fixed = est if k >= y.shape[1] else TinyEstimator(k, fixed_method, 3, seed).fit(y[train], s[train], irt=irt)
        out["fixed"][min(k, y.shape[1])] = _metrics(fixed.predict(y[test][:, fixed.anchors_.items]), truth)
    t1 = time.perf_counter()
    run = simulate_adaptive(est, answers, AdaptiveSettings(max_items=max(LENGTHS)))
    out["simulation_seconds_per_model"] = (time.perf_counter() - t1) / test.size
    rand = simulate_adaptive(est, answers, AdaptiveSettings(max_items=max(LENGTHS), rule="random", seed=seed))
    for k in LENGTHS:
        out["adaptive"][k] = _metrics(est.predict_adaptive(run.responses(first=k)), truth)
        out["random_items"][k] = _metrics(est.predict_adaptive(rand.responses(first=k)), truth)
    exposure = np.bincount(run.order[:, :40].ravel(), minlength=answers.shape[1]) / test.size
    out["max_item_exposure_at_40"] = float(exposure.max())
    stop = simulate_adaptive(est, answers, AdaptiveSettings(max_items=max(LENGTHS), target_se=TARGET_SE))
    out["target_se"] = {"target": TARGET_SE, "mean_items": float(stop.n_asked.mean()),
                        **_metrics(est.predict_adaptive(stop.responses()), truth)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "adaptive_testing"))
    ap.add_argument("--fixed-anchor-method", default=FitSettings.anchor_method, choices=ANCHOR_METHODS)
    a = ap.parse_args()
    root = shared_data_dir()
    report = {"settings": {"lengths": LENGTHS, "fixed": FIXED, "target_se": TARGET_SE, "rule": "score_variance",
                           "split": "first of 5 seeded KFold folds over models",
                           "fixed_anchor_method": a.fixed_anchor_method}, "benchmarks": {}}
    lines = ["# Adaptive testing vs fixed anchors (held-out real models)", "",
             "One 80/20 split over models per benchmark. Adaptive: `score_variance` rule, one item at a time, "
             "estimate from the adaptive score maps. Random items: the same maps, items drawn at random. "
             f"Fixed: {a.fixed_anchor_method} anchors with their own score map. MAE in leaderboard points; cover = share of "
             "real scores inside the 95% interval; top decile: over the held-out models in the top tenth of real score.", "",
             "| benchmark | pool | fixed 25 MAE | fixed 40 MAE | fixed 100 MAE | adaptive MAE at 10 / 20 / 30 / 40 / 60 items "
             "| random items, same maps, at 40 | cover at 40 | cover at 40, top decile (fixed 100) "
             f"| items to reach fixed-100 MAE | stop at SE {TARGET_SE}: mean items, MAE, cover |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench in a.benchmarks.split(","):
        print(f"{bench}: fitting and replaying", flush=True)
        r = report["benchmarks"][bench] = run_benchmark(bench, root, a.fixed_anchor_method)
        fixed_100 = r["fixed"][min(100, r["pool"])]
        fixed_ref = fixed_100["mae"]
        reach = [k for k in LENGTHS if r["adaptive"][k]["mae"] <= fixed_ref]
        r["items_to_reach_fixed_100"] = reach[0] if reach else None
        ad = " / ".join(f"{r['adaptive'][k]['mae']:.2f}" for k in LENGTHS)
        ts = r["target_se"]
        lines.append(table_row(
            bench, r["pool"], f"{r['fixed'][25]['mae']:.2f}", f"{r['fixed'][40]['mae']:.2f}", f"{fixed_ref:.2f}", ad,
            f"{r['random_items'][40]['mae']:.2f}", f"{r['adaptive'][40]['coverage']:.3f}",
            f"{r['adaptive'][40]['coverage_top_decile']:.3f} ({fixed_100['coverage_top_decile']:.3f})",
            reach[0] if reach else f"> {max(LENGTHS)}",
            f"{ts['mean_items']:.1f}, {ts['mae']:.2f}, {ts['coverage']:.3f}"))
    lines += ["", "Person-fit flag share at 40 adaptive items (nominal 0.05): " + ", ".join(
        f"{b} {r['adaptive'][40]['misfit_share']:.3f}" for b, r in report["benchmarks"].items()),
        "Largest share of models given one item in their first 40: " + ", ".join(
        f"{b} {r['max_item_exposure_at_40']:.2f}" for b, r in report["benchmarks"].items()), ""]
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
