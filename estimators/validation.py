"""Honest validation: cross-validation over models (never scoring a model the
estimator was fitted on), with error, rank and coverage metrics and the naive
baselines side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.stats import kendalltau, spearmanr
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold

from .checks import as_response_matrix, as_scores
from .tiny_estimator import TinyEstimator


def score_metrics(pred: np.ndarray, truth: np.ndarray, lower=None, upper=None) -> dict:
    """MAE, RMSE, worst error, Spearman and Kendall correlation, and the
    share of true scores inside [lower, upper] when given."""
    err = pred - truth
    out = {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "max_error": float(np.max(np.abs(err))),
        "spearman": float(spearmanr(pred, truth).statistic),
        "kendall": float(kendalltau(pred, truth).statistic),
    }
    if lower is not None and upper is not None:
        out["coverage"] = float(np.mean((truth >= lower) & (truth <= upper)))
        out["mean_interval_width"] = float(np.mean(upper - lower))
    return out


@dataclass
class CrossValidationResult:
    """Out-of-fold predictions for every model, per method, and their metrics."""

    truth: np.ndarray
    predictions: dict
    metrics: dict
    fit_seconds: float


def cross_validate(
    responses,
    scores,
    make_estimator: Callable[[], TinyEstimator],
    n_folds: int = 5,
    seed: int = 0,
    eligible=None,
    progress: Callable[[str], None] | None = None,
) -> CrossValidationResult:
    """K-fold cross-validation over models of a TinyEstimator and of the
    baselines on the same anchors: the anchors' mean accuracy x 100 and a
    linear map of it fitted on the training folds."""
    import time

    y = as_response_matrix(responses)
    s = as_scores(scores, y.shape[0])
    n = y.shape[0]
    preds = {name: np.empty(n) for name in ("tiny", "mean", "linear_mean")}
    lower, upper = np.empty(n), np.empty(n)
    fit_seconds = []
    for fold, (train, test) in enumerate(KFold(n_folds, shuffle=True, random_state=seed).split(y)):
        t0 = time.perf_counter()
        est = make_estimator().fit(y[train], s[train], eligible)
        fit_seconds.append(time.perf_counter() - t0)
        items = est.anchors_.items
        res = est.predict(y[test][:, items])
        preds["tiny"][test] = res.score
        lower[test], upper[test] = res.lower, res.upper
        acc_train = np.nanmean(y[train][:, items], 1)[:, None]
        acc_test = np.nanmean(y[test][:, items], 1)[:, None]
        preds["mean"][test] = 100 * acc_test[:, 0]
        preds["linear_mean"][test] = LinearRegression().fit(acc_train, s[train]).predict(acc_test)
        if progress:
            progress(f"fold {fold + 1}/{n_folds} fitted in {fit_seconds[-1]:.1f}s")
    metrics = {
        "tiny": score_metrics(preds["tiny"], s, lower, upper),
        "mean": score_metrics(preds["mean"], s),
        "linear_mean": score_metrics(preds["linear_mean"], s),
    }
    preds["tiny_lower"], preds["tiny_upper"] = lower, upper
    return CrossValidationResult(s, preds, metrics, float(np.mean(fit_seconds)))
