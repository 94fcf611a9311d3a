"""Side by side on the same models: tinytasks, tinyBenchmarks, metabench's
approach and random items, estimating the full leaderboard score.

For each benchmark with tinyBenchmarks' anchors in the shared data (ATLAS's
response matrices are exactly their 97-100 anchors of ARC, GSM8K, HellaSwag,
TruthfulQA and Winogrande; none for MMLU), the calibration models that
answered all of them are split into the same 5 folds for every method; each
method is fitted on the training folds only and scores the held-out fold:

- random items of the pool (one draw per fold): their plain mean x 100, and
  a ridge map of their answers to the score. The pools are metabench's
  informative items, not a random sample of the benchmark, so their plain
  mean is biased (it is not the full score) and the ridge map is a strong
  baseline;
- tinyBenchmarks' own anchors with their estimators rebuilt from their
  public code (felipemaiapolo/tinyBenchmarks: tutorials/anchor_points.ipynb,
  estimating_performance.ipynb, training_irt.ipynb, tinyBenchmarks/__init__.py):
  the anchor-weighted mean ("IRT" there), p-IRT and gp-IRT, each as it
  comes (x 100) and with a linear map to the score fitted on the training
  folds. What could not be rebuilt: their fitted parameters (the package
  downloads them; not reachable here) and their full-benchmark IRT model (it
  needs every item's answers; the shared data has pools). So the IRT model is
  ours, fitted on the pool plus their anchors (3 dimensions), the anchor
  weights are the share of those items nearest each anchor in item-parameter
  space (their k-means clusters' sizes, with the anchors as centres), and
  p-IRT estimates accuracy on that item set, not on the full benchmark;
- metabench's approach where it reproduces: a one-dimensional 2PL on the
  pool, the items with the most Fisher information at the calibration
  abilities, the EAP ability, and a monotone (isotonic) map from ability to
  score (metabench fits GAMs; see benchmarks/metabench_reference.py for its
  own held-out error);
- tinytasks: the shipped configuration (supervised anchors, 3-D IRT, score
  map and interval), nested (anchors chosen inside each fold).

At 25 and 100 items where the method allows (tinyBenchmarks' anchors are
97-100; a pool smaller than a budget would be asked whole). MAE, RMSE and
Spearman against the real score; 95% coverage where the
method gives an interval (tinytasks).

    python -m benchmarks.peers                       # about 15 minutes on 2 cores
    python -m benchmarks.peers --benchmarks winogrande --folds 2
    python -m benchmarks.peers --benchmarks hellaswag --update   # rerun one, keep the others' saved results

Writes benchmarks/results/peers.{md,json}.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LinearRegression, RidgeCV
from sklearn.model_selection import KFold

from benchmarks.results_io import previous_results, table_row, write_results
from maintainer.shared_data import load_source, shared_data_dir
from tinytasks.benchmark_specs import SPECS, atlas_matrix
from tinytasks.estimators import TinyEstimator
from tinytasks.estimators.ability import AbilityPrior, estimate_ability
from tinytasks.estimators.anchors import select_anchors
from tinytasks.estimators.irt import IRTFitter
from tinytasks.estimators.metrics import score_metrics
from tinytasks.estimators.tables import read_responses_csv
from tinytasks.estimators.validation import cross_validate_budgets
from tinytasks.fitting import FitSettings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "peers"
BENCHMARKS = ("arc", "gsm8k", "hellaswag", "truthfulqa", "winogrande")
BUDGETS = (25, 100)
ALPHAS = np.logspace(-3, 3, 25)
TB_DIMS = 3  # tinyBenchmarks chose 5 or 10 dimensions for the leaderboard's full benchmarks; our item sets are smaller


def peer_data(bench: str, root: Path):
    """(pool responses, tinyBenchmarks' anchor answers, scores, which pool
    columns are not anchors) of the calibration models that answered every
    one of the anchors."""
    data = load_source(bench, root)
    atlas = read_responses_csv(root / atlas_matrix(bench))
    atlas = atlas[atlas.notna().all(axis=1)]
    models = [m for m in data.models if m in atlas.index]
    rows = [data.models.index(m) for m in models]
    not_anchor = np.array([c not in set(atlas.columns) for c in data.items])
    return data.responses[rows], atlas.loc[models].to_numpy(float), data.scores[rows], not_anchor


def linear_map(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray) -> np.ndarray:
    return LinearRegression().fit(train_x[:, None], train_y).predict(test_x[:, None])


def tinybenchmarks(pool: np.ndarray, anchors: np.ndarray, s: np.ndarray, train: np.ndarray, test: np.ndarray,
                   seed: int) -> dict[str, np.ndarray]:
    """tinyBenchmarks' estimators on their anchors (see the module docstring);
    `pool`: the pool items that are not anchors."""
    y = np.hstack([pool, anchors])
    n_anchor = anchors.shape[1]
    a_idx = np.arange(pool.shape[1], y.shape[1])
    irt = IRTFitter(n_dims=TB_DIMS, seed=seed).fit(y[train])
    bank = irt.bank
    params = np.column_stack([bank.slopes, bank.intercepts])
    nearest = np.argmin(((params[:, None, :] - params[a_idx][None, :, :]) ** 2).sum(-1), axis=1)
    weights = np.bincount(nearest, minlength=n_anchor) / len(nearest)
    unseen = np.setdiff1d(np.arange(y.shape[1]), a_idx)
    prior = AbilityPrior.from_abilities(irt.abilities)

    def estimates(rows: np.ndarray) -> dict[str, np.ndarray]:
        ya = y[rows][:, a_idx]
        theta = estimate_ability(ya, bank.subset(a_idx), "map", prior).theta
        weighted = ya @ weights
        lam = n_anchor / y.shape[1]
        pirt = lam * ya.mean(1) + (1 - lam) * bank.subset(unseen).icc(theta).mean(1)
        return {"weighted": weighted, "pirt": pirt}

    # gp-IRT's blend: b^2 / (v + b^2), b the IRT part's validation error on unseen items (half seen, half not,
    # within the training folds), v the answers' variance over the anchors (their get_lambda)
    half = np.arange(0, y.shape[1], 2)
    rest = np.arange(1, y.shape[1], 2)
    val = train[::5]
    th = estimate_ability(y[val][:, half], bank.subset(half), "map", prior).theta
    b = float(np.mean(np.abs(bank.subset(rest).icc(th).mean(1) - np.nanmean(y[val][:, rest], 1))))
    v = float(np.nanvar(y[train], axis=1).mean()) / (4 * n_anchor)
    gp_lambda = b**2 / (v + b**2)
    tr, te = estimates(train), estimates(test)
    out = {}
    for name in ("weighted", "pirt"):
        out[f"{name}_raw"] = 100 * te[name]
        out[f"{name}_linear"] = linear_map(tr[name], s[train], te[name])
    gp_tr = gp_lambda * tr["weighted"] + (1 - gp_lambda) * tr["pirt"]
    gp_te = gp_lambda * te["weighted"] + (1 - gp_lambda) * te["pirt"]
    out["gpirt_raw"], out["gpirt_linear"] = 100 * gp_te, linear_map(gp_tr, s[train], gp_te)
    out["mean_raw"] = 100 * anchors[test].mean(1)
    out["mean_linear"] = linear_map(anchors[train].mean(1), s[train], anchors[test].mean(1))
    return out


def metabench_like(pool: np.ndarray, s: np.ndarray, train: np.ndarray, test: np.ndarray, k: int,
                   seed: int) -> np.ndarray:
    """1-D 2PL on the pool, the k most informative items, EAP ability, isotonic map to the score."""
    irt = IRTFitter(n_dims=1, seed=seed).fit(pool[train])
    items = select_anchors(irt.bank, k, "fisher", seed, irt.abilities).items
    prior = AbilityPrior.from_abilities(irt.abilities)
    sub = irt.bank.subset(items)
    theta_tr = estimate_ability(pool[train][:, items], sub, "eap", prior).theta[:, 0]
    theta_te = estimate_ability(pool[test][:, items], sub, "eap", prior).theta[:, 0]
    return IsotonicRegression(out_of_bounds="clip").fit(theta_tr, s[train]).predict(theta_te)


def random_items(pool: np.ndarray, s: np.ndarray, train: np.ndarray, test: np.ndarray, k: int,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    complete = np.flatnonzero(~np.isnan(pool).any(0))  # items every model answered (the metabench pool)
    items = rng.choice(complete, size=min(k, complete.size), replace=False)
    ridge = RidgeCV(alphas=ALPHAS).fit(pool[train][:, items], s[train])
    return {"mean": 100 * pool[test][:, items].mean(1), "ridge": ridge.predict(pool[test][:, items])}


def compare(bench: str, root: Path, n_folds: int, seed: int = 0) -> dict:
    pool, anchors, s, not_anchor = peer_data(bench, root)
    folds = list(KFold(n_folds, shuffle=True, random_state=seed).split(s))
    preds: dict[str, np.ndarray] = {}

    def put(name: str, test: np.ndarray, values: np.ndarray) -> None:
        preds.setdefault(name, np.full(s.size, np.nan))[test] = values

    # a pool smaller than a budget is asked whole instead
    budgets = sorted({min(k, pool.shape[1]) for k in BUDGETS})
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for fold, (train, test) in enumerate(folds):
        for k in budgets:
            for name, v in random_items(pool, s, train, test, k, rng).items():
                put(f"random {k}: {name}", test, v)
            put(f"metabench-like {k}", test, metabench_like(pool, s, train, test, k, seed))
        for name, v in tinybenchmarks(pool[:, not_anchor], anchors, s, train, test, seed).items():
            put(f"tinyBenchmarks {anchors.shape[1]}: {name}", test, v)
        print(f"  {bench}: fold {fold + 1}/{n_folds} of the peers done ({time.perf_counter() - t0:.0f} s)", flush=True)
    settings = FitSettings(chance=SPECS[bench].chance)
    ours = cross_validate_budgets(pool, s, settings.estimator, budgets, splits=folds,
                                  progress=lambda m: print(f"  {bench}: tinytasks {m}", flush=True))
    intervals = {}
    for k in budgets:
        p = ours[k].predictions
        put(f"tinytasks {k}", np.arange(s.size), p["tiny"])
        intervals[f"tinytasks {k}"] = (p["tiny_lower"], p["tiny_upper"])
    rows = {}
    for name, pred in preds.items():
        lo, hi = intervals.get(name, (None, None))
        rows[name] = score_metrics(pred, s, lo, hi)
    return {"models": int(s.size), "pool_items": int(pool.shape[1]), "anchors": int(anchors.shape[1]),
            "budgets": budgets, "methods": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--update", action="store_true",
                    help="keep the saved results of the benchmarks not named in --benchmarks")
    a = ap.parse_args()
    root = shared_data_dir()
    report = previous_results(OUT, settings={"folds": a.folds}) if a.update else {}
    report["settings"] = {"folds": a.folds}
    for bench in a.benchmarks.split(","):
        report[bench] = compare(bench, root, a.folds)
    done = [b for b in BENCHMARKS if b in report]
    lines = ["# tinytasks, tinyBenchmarks, metabench's approach and random items on the same models", "",
             f"Generated by `python -m benchmarks.peers`: {a.folds}-fold cross-validation over the calibration "
             "models that answered every tinyBenchmarks anchor; every method fitted on the training folds only. "
             "Points on the 0-100 leaderboard scale. `raw`: the method's estimate of accuracy x 100; `linear`: "
             "with a linear map to the score fitted on the training folds.", "",
             "| benchmark | method | MAE | RMSE | Spearman | 95% coverage | mean width |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for bench in done:
        for name, m in report[bench]["methods"].items():
            cov = f"{m['coverage']:.3f}" if "coverage" in m else "-"
            width = f"{m['mean_interval_width']:.2f}" if "mean_interval_width" in m else "-"
            lines.append(table_row(bench, name, f"{m['mae']:.3f}", f"{m['rmse']:.3f}", f"{m['spearman']:.4f}", cov,
                                   width))
    lines += ["", "Models per benchmark (and items: the pool, tinyBenchmarks' anchors): "
              + "; ".join(f"{b} {report[b]['models']} ({report[b]['pool_items']}, {report[b]['anchors']})"
                          for b in done), ""]
    missing = [b for b in BENCHMARKS if b not in report]
    if missing:
        lines += [f"Not run yet: {', '.join(missing)}.", ""]
    write_results(OUT, lines, report)


if __name__ == "__main__":
    main()
