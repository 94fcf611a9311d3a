"""Is a benchmark's estimated score a usable signal over a series of training
checkpoints? A curve whose rank correlation with the step is weak cannot be
used to pick a checkpoint."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

MONOTONE_RHO = 0.8  # below this Spearman correlation with the step, the curve is flagged


@dataclass(frozen=True)
class Trend:
    spearman: float  # NaN with fewer than 3 checkpoints or a constant curve
    monotone: bool
    note: str


def checkpoint_trend(steps, scores) -> Trend:
    """Spearman correlation of the estimated scores with the step, and
    whether the curve counts as monotone (increasing) enough to select on."""
    steps, scores = np.asarray(steps, dtype=float), np.asarray(scores, dtype=float)
    if steps.shape != scores.shape:
        raise ValueError(f"{steps.size} steps but {scores.size} scores")
    if not np.isfinite(scores).all():
        raise ValueError("scores contain NaN or inf")
    if steps.size < 3:
        return Trend(float("nan"), False, "fewer than 3 checkpoints: no trend can be judged")
    if np.ptp(scores) == 0:
        return Trend(float("nan"), False, "the same estimate at every checkpoint: no signal")
    rho = float(spearmanr(steps, scores).statistic)
    if rho >= MONOTONE_RHO:
        return Trend(rho, True, "rises with the step")
    return Trend(rho, False, f"not monotone (Spearman {rho:.2f} < {MONOTONE_RHO}): unreliable for checkpoint "
                             "selection")
