"""Accuracy on the whole fitted pool from answers to a few of its items:
tinyBenchmarks' estimators (weighted anchor mean, IRT, p-IRT, gp-IRT).

All take `responses` over the whole pool (models x items, NaN where an item
was not given) and return accuracies in [0, 1].
"""

from __future__ import annotations

import numpy as np

from .ability import AbilityPrior, estimate_ability
from .checks import as_response_matrix, check_n_items
from .irt import ItemBank

POOL_ESTIMATORS = ("anchor_mean", "irt", "pirt", "gpirt")


def anchor_mean(responses, weights: np.ndarray | None = None) -> np.ndarray:
    """Weighted mean of the given answers (weights per pool item; NaN skipped)."""
    y = as_response_matrix(responses)
    w = np.ones(y.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    mask = ~np.isnan(y)
    return (np.where(mask, y, 0.0) * w).sum(1) / (mask * w).sum(1)


def predicted_correctness(responses, bank: ItemBank, prior: AbilityPrior | None = None) -> np.ndarray:
    """P(correct) on every pool item at each model's EAP ability: models x items."""
    est = estimate_ability(responses, bank, "eap", prior)
    return bank.icc(est.theta)


def pool_accuracy(
    responses,
    bank: ItemBank,
    method: str = "gpirt",
    prior: AbilityPrior | None = None,
    weights: np.ndarray | None = None,
    gp_lambda: float | None = None,
) -> np.ndarray:
    """Estimated accuracy over the whole pool.

    irt: mean predicted correctness; pirt: observed answers where given,
    predictions elsewhere; gpirt: gp_lambda * anchor_mean + (1 - gp_lambda) *
    pirt (gp_lambda defaults to the share of the pool that was answered).
    """
    if method not in POOL_ESTIMATORS:
        raise ValueError(f"unknown pool estimator {method!r}; choose one of {POOL_ESTIMATORS}")
    y = as_response_matrix(responses)
    check_n_items(y, bank.n_items)
    if method == "anchor_mean":
        return anchor_mean(y, weights)
    p = predicted_correctness(y, bank, prior)
    if method == "irt":
        return p.mean(1)
    observed = ~np.isnan(y)
    pirt = np.where(observed, y, p).mean(1)
    if method == "pirt":
        return pirt
    lam = observed.mean(1) if gp_lambda is None else gp_lambda
    return lam * anchor_mean(y, weights) + (1 - lam) * pirt


def fit_gp_lambda(pirt: np.ndarray, anchor: np.ndarray, truth: np.ndarray) -> float:
    """The blend weight of gp-IRT that minimises squared error on calibration
    models (clipped to [0, 1])."""
    d = anchor - pirt
    denom = float(d @ d)
    if denom == 0:
        return 0.0
    return float(np.clip(d @ (truth - pirt) / denom, 0.0, 1.0))
