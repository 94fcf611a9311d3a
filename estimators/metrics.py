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
