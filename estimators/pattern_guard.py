"""The pattern guard: an answer pattern unlike every calibration model's is
read as a typical pattern of the same ability and accuracy.

The score map weighs each anchor's answer as the calibration models'
answers went; a pattern unlike all of theirs makes that weighting
extrapolate. SmolLM2-135M-Instruct answered 36% of TruthfulQA's anchors,
hard ones as often as easy ones, like calibration models that score about
38; its answers moved the map's estimate by 21.6 points (no calibration
model's by more than 6.6), to 62.6 against a real full score of 44.8. A
typical pattern of its ability and accuracy maps to 41.0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import Calibration
from .grid import on_grid
from .score_map import ScoreMap


def pattern_shift(calibration: Calibration, score_map: ScoreMap, feats: np.ndarray) -> np.ndarray:
    """How far the map's estimate moves for these answers rather than a
    typical pattern of the same ability and accuracy."""
    return score_map.predict_point(feats) - score_map.predict_point(calibration.typical_features(feats))


@dataclass
class PatternGuard:
    """`limit`: the largest shift any calibration model's answers gave."""

    limit: float

    @classmethod
    def fit(cls, calibration: Calibration, score_map: ScoreMap, feats: np.ndarray) -> "PatternGuard":
        """Fit on the calibration models' features (models x features)."""
        return cls(float(np.max(np.abs(pattern_shift(calibration, score_map, feats)))))

    def apply(self, calibration: Calibration, score_map: ScoreMap, feats: np.ndarray, score: np.ndarray,
              lower: np.ndarray, upper: np.ndarray, applies: np.ndarray | bool = True):
        """(score, lower, upper, atypical): where the answers move the map's
        estimate further than `limit`, the estimate moves to the map's
        estimate for a typical pattern (fully at twice the limit), the
        interval spans both maps' intervals, and the pattern is flagged;
        only where `applies`. The calibration model that set the limit sits
        on it: the comparison is made on the decision grid."""
        t_score, t_lower, t_upper = score_map.predict(calibration.typical_features(feats))
        shift = score_map.predict_point(feats) - t_score
        limit = max(self.limit, 1e-9)
        atypical = np.asarray(applies) & (on_grid(np.abs(shift)) > on_grid(limit))
        w = np.where(atypical, np.clip((np.abs(shift) - limit) / limit, 0.0, 1.0), 0.0)
        score = score - w * shift
        lower = np.where(atypical, np.minimum(lower, t_lower), lower)
        upper = np.where(atypical, np.maximum(upper, t_upper), upper)
        return score, lower, upper, atypical

    def to_dict(self) -> dict:
        return {"limit": self.limit}

    @classmethod
    def from_dict(cls, d: dict) -> "PatternGuard":
        return cls(float(d["limit"]))
