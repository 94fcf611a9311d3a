"""Do the estimates stay honest away from the calibration models?

Three ways to split the shared data's models into calibration and test:
- random: 5-fold over models (the usual, exchangeable case);
- strength: calibrate on all but the strongest 12% by full score, test on them;
- organisation: 5-fold grouped by hub owner (the part of the model name before
  "/"), so no organisation's models are on both sides. Fine-tunes and merges
  of one base model mostly share an owner; this is the closest to a family
  split that the names allow.

For the strength split also: the MAE of each candidate extrapolation the
guard knows (the map, and its straight lines in anchor accuracy), to show
which one would have been right.

For each: MAE and 95%-interval coverage of tinytasks (whole pool, with and
without its extrapolation guard), the share of test models flagged as
extrapolated, the linear map of the anchor mean, and the expected MAE of the
plain mean of a uniformly random sample of the full benchmark with as many
items as the pool. That last one needs no response data: a model with full
score p answers k items drawn without replacement from N correctly in a
hypergeometric number of cases, so its expected absolute error is exact. For
TruthfulQA (mc2, a per-item probability rather than 0/1) the 0/1 variance is
an upper bound, so its random-sample error is overstated there.

    python -m benchmarks.extrapolation                 # all benchmarks, ~20 min on 2 cores
    python -m benchmarks.extrapolation --benchmarks mmlu --splits strength
    python -m benchmarks.extrapolation --benchmarks truthfulqa,winogrande --update   # keep the others' results
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.stats import hypergeom
from sklearn.model_selection import GroupKFold, KFold
from tinytasks.estimators import TinyEstimator
from tinytasks.estimators.extrapolation import CANDIDATE_LINES
from tinytasks.estimators.validation import cross_validate_budgets, model_owners

from benchmarks.results_io import previous_results, table_row, write_results
from tinytasks.benchmark_specs import BENCHMARKS, SPECS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

# Items in the full benchmark as the leaderboard scored it (shared/README.md).
STRONGEST_SHARE = 0.12


def random_sample_mae(scores: np.ndarray, k: int, n_full: int) -> np.ndarray:
    """Expected |mean of k random items x 100 - full score| per model."""
    hits = np.arange(k + 1)
    out = np.empty(scores.size)
    for i, p in enumerate(np.clip(scores / 100, 0, 1)):
        pmf = hypergeom(n_full, int(round(p * n_full)), k).pmf(hits)
        out[i] = 100 * np.sum(pmf * np.abs(hits / k - p))
    return out


def make_splits(kind: str, scores: np.ndarray, models: list[str], seed: int = 0):
    if kind == "random":
        return list(KFold(5, shuffle=True, random_state=seed).split(scores))
    if kind == "strength":
        cut = np.quantile(scores, 1 - STRONGEST_SHARE)
        return [(np.flatnonzero(scores < cut), np.flatnonzero(scores >= cut))]
    if kind == "organisation":
        return list(GroupKFold(5).split(scores, groups=model_owners(models)))
    raise ValueError(f"unknown split {kind!r}; use random, strength or organisation")


def candidate_errors(est: TinyEstimator, responses: np.ndarray, truth: np.ndarray) -> dict:
    """MAE on the test models (`responses` to the whole pool, real scores
    `truth`) of the score map and of each line extrapolation of `est`'s
    upper guard."""
    pred = est.predict(responses)
    cands = est.guard_.upper.candidates(pred.accuracy, pred.map_score)
    return {name: float(np.abs(v - truth).mean()) for name, v in cands.items()} | {
        "chosen_fallback": est.guard_.upper.fallback}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--splits", default="random,strength,organisation")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "extrapolation"))
    ap.add_argument("--update", action="store_true",
                    help="rerun only these benchmarks and splits and keep every other result at --out")
    a = ap.parse_args()
    root = shared_data_dir()
    report = previous_results(a.out) if a.update else {}
    for bench in a.benchmarks.split(","):
        data = load_source(bench, root)
        report.setdefault(bench, {}).update({kind: split_results(bench, kind, data) for kind in a.splits.split(",")})
    report = {b: report[b] for b in BENCHMARKS if b in report}
    write_results(a.out, render(report), report)
    return 0


def split_results(bench: str, kind: str, data) -> dict:
    """One benchmark's metrics on one kind of split (see make_splits)."""
    print(f"{bench} / {kind}: {len(data.models)} models x {len(data.items)} items", flush=True)
    splits = make_splits(kind, data.scores, list(data.models))
    res = cross_validate_budgets(data.responses, data.scores, lambda b: TinyEstimator(b, "stratified", 3),
                                 [None], splits=splits, progress=lambda m: print("  " + m, flush=True))[None]
    p, truth = res.predictions, res.truth
    inside = (truth >= p["tiny_lower"]) & (truth <= p["tiny_upper"])
    quiet = p["extrapolated"] == 0
    m = res.metrics
    row = {"n_test": int(truth.size), "tiny": m["tiny"], "tiny_unguarded": m["tiny_unguarded"],
           "linear_mean": m["linear_mean"],
           "random_sample_mae": float(random_sample_mae(truth, len(data.items), SPECS[bench].full_items).mean()),
           "coverage_not_flagged": float(inside[quiet].mean()) if quiet.any() else None}
    if kind == "strength":
        row["candidates"] = candidate_errors(res.estimators[0], data.responses[splits[0][1]], truth)
        train, test = splits[0]
        row["error_sources"] = error_sources(
            np.abs(p["tiny"] - truth), random_sample_mae(truth, len(data.items), SPECS[bench].full_items), truth,
            np.nanmean(data.responses[test], 1), np.nanmean(data.responses[train], 1), data.scores[train])
    return row


def render(report: dict) -> list[str]:
    """The Markdown tables of `report` ({benchmark: {split: results}})."""
    lines = ["# Estimates away from the calibration models (shared data)", "",
             "Whole pool as anchors, 3-D IRT. MAE in leaderboard points; cover = share of test models inside the "
             "95% interval, width = its mean width; flagged = share reported as extrapolated. random-sample MAE: "
             "expected error of the mean of as many uniformly random items of the full benchmark (exact, "
             "hypergeometric).", "",
             "| benchmark | split | test models | tinytasks MAE | cover | width | flagged | cover (not flagged) "
             "| no guard MAE | linear-mean MAE | random-sample MAE |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench, splits in report.items():
        for kind, row in splits.items():
            cnf = "-" if row["coverage_not_flagged"] is None else f"{row['coverage_not_flagged']:.3f}"
            lines.append(table_row(
                bench, kind, row["n_test"], f"{row['tiny']['mae']:.2f}", f"{row['tiny']['coverage']:.3f}",
                f"{row['tiny']['mean_interval_width']:.2f}", f"{row['tiny']['extrapolated_share']:.3f}", cnf,
                f"{row['tiny_unguarded']['mae']:.2f}", f"{row['linear_mean']['mae']:.2f}",
                f"{row['random_sample_mae']:.2f}"))
    strength = [(b, r["strength"]) for b, r in report.items() if "strength" in r]
    if strength:
        lines += ["", "## Strongest models: MAE of each candidate extrapolation (fitted on the rest)", "",
                  "| benchmark | guard's choice | map | " + " | ".join(CANDIDATE_LINES) + " |",
                  "| --- | --- | --- | " + " | ".join("---" for _ in CANDIDATE_LINES) + " |"]
        for bench, r in strength:
            c = r["candidates"]
            lines.append(table_row(bench, c["chosen_fallback"], f"{c['map']:.2f}",
                                   *(f"{c[n]:.2f}" if n in c else "-" for n in CANDIDATE_LINES)))
        lines += ["", "## Strongest models: where the error comes from", "",
                  "Perfect: held-out models with a real score of 100 (on the leaderboard's TruthfulQA, contaminated "
                  "models that answer every anchor; a random sample of such a model is always exact). Same "
                  "accuracy: held-out and calibration models whose anchor accuracy lies in the calibration models' "
                  "top 5% of accuracies; the held-out ones score higher at the same accuracy because they were "
                  "picked for their real score, which no estimator from the anchors can see.", "",
                  "| benchmark | perfect: n | perfect: tinytasks MAE | rest: tinytasks MAE | rest: random-sample MAE "
                  "| same accuracy: n held-out / calibration | mean real score held-out / calibration |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for bench, r in strength:
            e = r["error_sources"]
            lines.append(table_row(
                bench, e["n_perfect"], _fmt(e["perfect_mae"]), _fmt(e["rest_mae"]), _fmt(e["rest_random_mae"]),
                f"{e['band_n_test']} / {e['band_n_train']}",
                f"{_fmt(e['band_score_test'])} / {_fmt(e['band_score_train'])}"))
    return lines


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _mean(v: np.ndarray) -> float | None:
    return float(v.mean()) if v.size else None


def error_sources(tiny_err: np.ndarray, random_err: np.ndarray, truth: np.ndarray, acc_test: np.ndarray,
                  acc_train: np.ndarray, s_train: np.ndarray) -> dict:
    """The strength split's error apart: perfect-score models vs the rest, and
    real scores of held-out vs calibration models at the same anchor accuracy."""
    perfect = truth >= 100 - 1e-9
    lo = np.quantile(acc_train, 0.95)
    band_test = (acc_test >= lo) & (acc_test <= acc_train.max())
    band_train = acc_train >= lo
    return {"n_perfect": int(perfect.sum()), "perfect_mae": _mean(tiny_err[perfect]),
            "rest_mae": _mean(tiny_err[~perfect]), "rest_random_mae": _mean(random_err[~perfect]),
            "band_n_test": int(band_test.sum()), "band_n_train": int(band_train.sum()),
            "band_score_test": _mean(truth[band_test]), "band_score_train": _mean(s_train[band_train])}


if __name__ == "__main__":
    raise SystemExit(main())
