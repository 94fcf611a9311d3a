"""Validation of user-supplied arrays, with errors that say what to do."""

from __future__ import annotations

import numpy as np


def as_response_matrix(responses, *, name: str = "responses") -> np.ndarray:
    """Return `responses` as a float (models x items) array of 0, 1 and NaN.

    Raises ValueError for the wrong shape, for values other than 0/1/NaN, and
    for models that answered no item at all.
    """
    y = np.asarray(responses, dtype=float)
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2 or y.shape[0] == 0 or y.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array (models x items); got shape {np.shape(responses)}"
        )
    observed = ~np.isnan(y)
    bad = observed & (y != 0) & (y != 1)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(
            f"{name} may hold only 0, 1 or NaN (not administered); found {y[r, c]!r} "
            f"at model {r}, item {c}"
        )
    empty = ~observed.any(axis=1)
    if empty.any():
        raise ValueError(
            f"{name}: {int(empty.sum())} model(s) answered no item (first: row {int(np.argmax(empty))}); "
            "drop them or give at least one response"
        )
    return y


def check_n_items(y: np.ndarray, n_items: int, *, what: str = "the item bank") -> None:
    """Raise if the response matrix does not have one column per item."""
    if y.shape[1] != n_items:
        raise ValueError(
            f"got responses for {y.shape[1]} items but {what} has {n_items}; "
            "pass one column per item, NaN where an item was not given"
        )


def check_budget(k: int, n_items: int) -> int:
    """Return k as int after checking 1 <= k <= n_items."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"budget must be a positive integer, got {k!r}")
    if k > n_items:
        raise ValueError(f"budget {k} is larger than the pool of {n_items} items")
    return int(k)


def as_scores(scores, n_models: int) -> np.ndarray:
    """Return full-benchmark scores as a finite float vector of length n_models."""
    s = np.asarray(scores, dtype=float).ravel()
    if s.shape[0] != n_models:
        raise ValueError(f"got {s.shape[0]} scores for {n_models} models; give one score per model row")
    if not np.isfinite(s).all():
        raise ValueError(f"scores contain {int((~np.isfinite(s)).sum())} NaN/inf values; drop those models first")
    return s
