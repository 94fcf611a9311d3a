"""Scoring a run that answered most, not all, of the anchors: its missing
answers drawn from the posterior predictive, each completed pattern mapped,
and the results combined by Rubin's rules (within-pattern interval plus the
spread of the point estimates between patterns)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from .calibration import Calibration
from .score_map import ScoreMap

N_IMPUTATIONS = 200


def imputed_patterns(calibration: Calibration, row: np.ndarray, theta: np.ndarray, theta_cov: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """N_IMPUTATIONS complete answer patterns for one partial `row`: abilities
    drawn from its posterior (mean `theta`, covariance `theta_cov`), then answers."""
    miss = np.isnan(row)
    th = rng.multivariate_normal(theta, theta_cov, size=N_IMPUTATIONS, method="cholesky")
    p = calibration.anchor_bank.icc(th)[:, miss]
    draws = np.tile(row, (N_IMPUTATIONS, 1))
    draws[:, miss] = (rng.random(p.shape) < p).astype(float)
    return draws


def imputed_estimate(calibration: Calibration, score_map: ScoreMap, row: np.ndarray, theta: np.ndarray,
                     theta_cov: np.ndarray, rng: np.random.Generator, level: float) -> tuple[float, float, float]:
    """(score, lower, upper) of one partially answered model."""
    f, _, _ = calibration.features(imputed_patterns(calibration, row, theta, theta_cov, rng))
    mu, lo, hi = score_map.predict(f)
    z = norm.ppf(0.5 + level / 2)
    spread = z**2 * mu.var()  # the imputed answers' own uncertainty, added to each side of the map's interval
    down, up = (np.sqrt(np.mean(reach**2) + spread) for reach in (mu - lo, hi - mu))
    score = mu.mean()
    return score, score - down, score + up
