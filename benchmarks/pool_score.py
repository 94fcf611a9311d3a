"""Accuracy on the whole fitted pool from answers to a few of its items:
tinyBenchmarks' estimators (weighted anchor mean, IRT, p-IRT, gp-IRT).

All take `responses` over the whole pool (models x items, NaN where an item
was not given) and return accuracies in [0, 1].
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.model_selection import KFold

from tinytasks.estimators.ability import AbilityPrior, estimate_ability
from tinytasks.estimators.anchors import select_anchors
from tinytasks.estimators.checks import as_response_matrix, check_n_items
from tinytasks.estimators.irt import IRTFitter, ItemBank

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


def cross_validate_pool(
    responses, budgets: Sequence[int], n_dims: int = 1, anchor_method: str = "random",
    n_folds: int = 5, seed: int = 0,
) -> dict:
    """When the pool is the whole benchmark: MAE (accuracy points x 100) of
    tinyBenchmarks' estimators of pool accuracy from k anchors, per budget,
    over held-out models. Returns {budget: {estimator: mae}}."""
    y = as_response_matrix(responses)
    errors = {k: {m: [] for m in POOL_ESTIMATORS} for k in budgets}
    for train, test in KFold(n_folds, shuffle=True, random_state=seed).split(y):
        irt = IRTFitter(n_dims=n_dims, seed=seed).fit(y[train])
        prior = AbilityPrior.from_abilities(irt.abilities)
        truth = np.nanmean(y[test], 1)
        truth_train = np.nanmean(y[train], 1)
        for k in budgets:
            a = select_anchors(irt.bank, k, anchor_method, seed, irt.abilities)
            w = np.zeros(y.shape[1])
            w[a.items] = a.weights
            seen_train = np.full_like(y[train], np.nan)
            seen_train[:, a.items] = y[train][:, a.items]
            lam = fit_gp_lambda(pool_accuracy(seen_train, irt.bank, "pirt", prior),
                                pool_accuracy(seen_train, irt.bank, "anchor_mean", weights=w), truth_train)
            seen = np.full_like(y[test], np.nan)
            seen[:, a.items] = y[test][:, a.items]
            for m in POOL_ESTIMATORS:
                est = pool_accuracy(seen, irt.bank, m, prior, weights=w, gp_lambda=lam)
                errors[k][m].append(np.abs(est - truth))
    return {k: {m: float(100 * np.mean(np.concatenate(v))) for m, v in d.items()} for k, d in errors.items()}
