"""Honest validation: cross-validation over models (never scoring a model the
estimator was fitted on), with error, rank and coverage metrics and the naive
baselines side by side."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GroupKFold, KFold

from .checks import as_response_matrix, as_scores
from .irt import IRTFitter
from .metrics import mae_interval, score_metrics
from .tiny_estimator import TinyEstimator


def model_owners(models: Sequence[str]) -> np.ndarray:
    """Each model's owner on the hub, lower-cased (the hub ignores case): the
    part of its name before the first "/", or the whole name where it has
    none. Fine-tunes and merges of one base model mostly share an owner."""
    return np.array([str(m).split("/", 1)[0].lower() for m in models])


def grouped_folds(groups: Sequence, n_folds: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """`n_folds` (train, test) splits over models that keep every group (e.g.
    an owner, see model_owners) on one side; groups are shuffled by `seed`."""
    groups = np.asarray(groups)
    n_groups = np.unique(groups).size
    if n_groups < n_folds:
        raise ValueError(f"{n_groups} model groups cannot fill {n_folds} folds; give fewer folds or more models")
    return list(GroupKFold(n_folds, shuffle=True, random_state=seed).split(np.zeros(groups.size), groups=groups))


@dataclass
class CrossValidationResult:
    """Out-of-fold predictions for every tested model (truth in the same order), per method, and their metrics."""

    truth: np.ndarray
    predictions: dict
    metrics: dict
    fit_seconds: float
    estimators: list  # the fitted TinyEstimator of each split, in split order


def cross_validate_budgets(
    responses,
    scores,
    make_estimator: Callable[[int | None], TinyEstimator],
    budgets: Sequence[int | None],
    n_folds: int = 5,
    seed: int = 0,
    eligible=None,
    progress: Callable[[str], None] | None = None,
    splits: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    groups: Sequence | None = None,
) -> dict:
    """K-fold cross-validation over models of `make_estimator(budget)` for
    each budget (None: all eligible items), with the baselines on the same
    anchors: their mean accuracy x 100 and a linear map of it fitted on the
    training folds. The IRT model is fitted once per fold. `splits`, a list
    of (train, test) index arrays, replaces the K folds (e.g. a split by
    strength); models in no test set get NaN predictions and are left out of
    the metrics. `groups` (one label per model, e.g. model_owners) makes the
    95% interval of the estimator's MAE (`mae_interval`) resample whole
    groups and, where `splits` is not given, the K folds keep each group on
    one side; without them the folds are plain K-fold and the interval
    resamples models.
    Returns {budget: CrossValidationResult}."""
    y = as_response_matrix(responses)
    s = as_scores(scores, y.shape[0])
    n = y.shape[0]
    names = ("tiny", "mean", "linear_mean", "tiny_lower", "tiny_upper", "tiny_unguarded", "extrapolated", "misfit",
             "complete")
    preds = {b: {name: np.full(n, np.nan) for name in names} for b in budgets}
    seconds = {b: [] for b in budgets}
    fitted = {b: [] for b in budgets}
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != (n,):
            raise ValueError(f"groups has {groups.size} labels for {n} models: give one per model")
    if splits is None:
        splits = (grouped_folds(groups, n_folds, seed) if groups is not None
                  else list(KFold(n_folds, shuffle=True, random_state=seed).split(y)))
    for fold, (train, test) in enumerate(splits):
        t0 = time.perf_counter()
        first = make_estimator(budgets[0])
        irt = IRTFitter(n_dims=first.n_dims, seed=first.seed).fit(y[train])
        irt_seconds = time.perf_counter() - t0
        for b in budgets:
            t1 = time.perf_counter()
            est = make_estimator(b).fit(y[train], s[train], eligible, irt=irt)
            seconds[b].append(irt_seconds + time.perf_counter() - t1)
            fitted[b].append(est)
            items = est.anchors_.items
            res = est.predict(y[test][:, items])
            p = preds[b]
            p["tiny"][test], p["tiny_lower"][test], p["tiny_upper"][test] = res.score, res.lower, res.upper
            p["extrapolated"][test], p["tiny_unguarded"][test] = res.extrapolated, res.map_score
            p["misfit"][test] = res.misfit
            p["complete"][test] = ~np.isnan(y[test][:, items]).any(1)  # every anchor of this estimator answered
            acc_train = np.nanmean(y[train][:, items], 1)[:, None]
            acc_test = np.nanmean(y[test][:, items], 1)[:, None]
            p["mean"][test] = 100 * acc_test[:, 0]
            p["linear_mean"][test] = LinearRegression().fit(acc_train, s[train]).predict(acc_test)
        if progress:
            progress(f"fold {fold + 1}/{len(splits)} done")
    tested = ~np.isnan(preds[budgets[0]]["tiny"])
    recorded = ~np.isnan(y).any(1)
    out = {}
    for b in budgets:
        p = {k: v[tested] for k, v in preds[b].items()}
        tested_groups = None if groups is None else groups[tested]
        abs_err = np.abs(p["tiny"] - s[tested])
        metrics = {
            "tiny": score_metrics(p["tiny"], s[tested], p["tiny_lower"], p["tiny_upper"])
            | {"extrapolated_share": float(p["extrapolated"].mean()), "misfit_share": float(p["misfit"].mean()),
               "mae_interval": mae_interval(abs_err, tested_groups, seed=seed)},
            "tiny_unguarded": score_metrics(p["tiny_unguarded"], s[tested]),
            "mean": score_metrics(p["mean"], s[tested]),
            "linear_mean": score_metrics(p["linear_mean"], s[tested]),
        }
        if recorded.any() and not recorded.all():
            # some calibration models lack answers to part of the pool (a
            # supplement recorded for only some of them): their estimates
            # come from the answers they have, so error is also reported
            # over the models with an answer to every anchor, as a new model has them
            full = p["complete"] == 1
            metrics["tiny_fully_recorded"] = score_metrics(p["tiny"][full], s[tested][full], p["tiny_lower"][full],
                                                           p["tiny_upper"][full]) | {
                "n_models": int(full.sum()),
                "mae_interval": mae_interval(abs_err[full], None if tested_groups is None else tested_groups[full],
                                             seed=seed)}
        out[b] = CrossValidationResult(s[tested], p, metrics, float(np.mean(seconds[b])), fitted[b])
    return out


def cross_validate(responses, scores, make_estimator: Callable[[], TinyEstimator], n_folds: int = 5,
                   seed: int = 0, eligible=None, progress=None) -> CrossValidationResult:
    """Cross-validation of one estimator configuration (see cross_validate_budgets)."""
    return cross_validate_budgets(responses, scores, lambda _b: make_estimator(), [None], n_folds, seed,
                                  eligible, progress)[None]
