"""How precisely answers to some of the anchors measure the full score.

The full score as a function of ability, h(theta), is the p-IRT pool
accuracy at theta, put on the full-score scale by the slope of the score map
(`score_slope`). After answers to any subset of the anchors, the ability
posterior is summarised by its mode (MAP) and Laplace covariance Sigma; the
score's measurement standard error is sqrt(g' Sigma g), g the gradient of h
there. Adaptive item choice, and the score maps for partial and adaptive
runs (features that mean the same whatever was answered), build on this.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .ability import AbilityEstimate, estimate_ability
from .calibration import Calibration
from .score_map import ScoreMap

SLOPE_SAMPLE = 2000  # simulated calibration-like models used to put h on the score scale


def score_slope(calibration: Calibration, score_map: ScoreMap, n: int = SLOPE_SAMPLE, seed: int = 0) -> float:
    """Full-score points per point of p-IRT pool accuracy, as `score_map`
    has it: a line fitted to the map's estimates for models drawn from the
    ability prior with answers simulated from the IRT model."""
    rng = np.random.default_rng(seed)
    prior = calibration.prior
    theta = rng.multivariate_normal(prior.mean, prior.cov, size=n)
    answers = (rng.random((n, calibration.n_anchors)) < calibration.anchor_bank.icc(theta)).astype(float)
    feats, _, _ = calibration.features(answers)
    pool_points = 100 * calibration.bank.icc(theta).mean(1)
    slope = np.polyfit(pool_points, score_map.predict_point(feats), 1)[0]
    return float(max(slope, 1e-3))


@dataclass
class ScoreMeasurement:
    """Per model: MAP ability, its Laplace covariance, the gradient of h
    there, and the standard error of the score (points) it implies."""

    theta: np.ndarray
    cov: np.ndarray
    gradient: np.ndarray
    se: np.ndarray

    def rows(self, rows: np.ndarray) -> "ScoreMeasurement":
        """The measurement of models `rows` only."""
        return ScoreMeasurement(*(getattr(self, f.name)[rows] for f in fields(self)))

    def update(self, rows: np.ndarray, other: "ScoreMeasurement") -> None:
        """Replace the measurement of models `rows` by `other`'s (one row each)."""
        for f in fields(self):
            getattr(self, f.name)[rows] = getattr(other, f.name)


def score_measurement(calibration: Calibration, answers: np.ndarray, slope: float) -> ScoreMeasurement:
    """The ability posterior after `answers` (models x anchors, NaN = not
    asked; a model may have none yet) and the score SE it leaves."""
    prior = calibration.prior
    n = answers.shape[0]
    theta, cov = np.tile(prior.mean, (n, 1)), np.tile(prior.cov, (n, 1, 1))
    seen = ~np.isnan(answers).all(1)
    if seen.any():
        est = estimate_ability(answers[seen], calibration.anchor_bank, "map", prior)
        theta[seen], cov[seen] = est.theta, est.cov
    g = score_gradient(calibration, theta, slope)
    return ScoreMeasurement(theta, cov, g, np.sqrt(np.einsum("nd,nde,ne->n", g, cov, g)))


def score_gradient(calibration: Calibration, theta: np.ndarray, slope: float) -> np.ndarray:
    """The gradient of h, the full score as a function of ability (points
    per unit of ability), at `theta` (models x dims)."""
    pool = calibration.bank
    p = pool.icc(theta)
    return slope * 100 * (p * (1 - p)) @ pool.slopes / pool.n_items


def measurement_features(calibration: Calibration, answers: np.ndarray,
                         slope: float) -> tuple[np.ndarray, AbilityEstimate]:
    """(features, EAP AbilityEstimate) of answers to any subset of the
    anchors: the EAP ability, the score's measurement SE and the p-IRT pool
    accuracy (answers where given, predictions elsewhere)."""
    est = estimate_ability(answers, calibration.anchor_bank, "eap", calibration.prior)
    se = score_measurement(calibration, answers, slope).se
    p_pool = calibration.bank.complete_answers(est.theta, answers, calibration.anchors.items)
    feats = np.column_stack([est.theta, se, p_pool.mean(1)])
    return feats, est
