"""How close estimates are to the real scores: error, rank agreement and
interval coverage."""

from __future__ import annotations

import numpy as np
from scipy.stats import kendalltau, spearmanr


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


def mae_interval(abs_error: np.ndarray, groups: np.ndarray | None = None, level: float = 0.95,
                 n_resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `abs_error`, resampling
    whole groups (e.g. all models of one organisation) so that models that
    err together count once; `groups` None: each value its own group."""
    abs_error = np.asarray(abs_error, float)
    if abs_error.size == 0:
        raise ValueError("mae_interval needs at least one error")
    groups = np.arange(abs_error.size) if groups is None else np.asarray(groups)
    if groups.shape != abs_error.shape:
        raise ValueError(f"groups has shape {groups.shape}, errors {abs_error.shape}: give one group per error")
    _, ids = np.unique(groups, return_inverse=True)
    sums = np.bincount(ids.ravel(), weights=abs_error)
    counts = np.bincount(ids.ravel()).astype(float)
    draws = np.random.default_rng(seed).integers(0, sums.size, size=(n_resamples, sums.size))
    means = sums[draws].sum(1) / counts[draws].sum(1)
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return float(lo), float(hi)
