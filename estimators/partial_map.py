"""From answers to only some of the anchors to an estimated full score.

A run that answered a small share of the anchors (`lm_eval --limit`, a
crashed or partial run) cannot use the score map of complete answer patterns
without guessing the missing answers, and guesses drawn from the IRT model
alone are too sure of themselves: on held-out leaderboard models with half of
MMLU's or ARC's anchors answered, such intervals covered 89-90% of the real
scores, with a quarter of them 83-89%.

This map is fitted instead on the calibration models' own answers with a
random share of the anchors left out (one mask per model, the share drawn
uniformly up to `PARTIAL_MAP_BELOW`), on features that mean the same whatever
was answered: the EAP ability, the standard error of the score that the
answered items leave, and the p-IRT pool accuracy. Its conformal interval is
thus calibrated for that kind of evidence, and it widens with the standard
error. Runs that answered at least `PARTIAL_MAP_BELOW` of the anchors keep
the full map (their missing answers drawn from the posterior predictive),
which erred less there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import Calibration
from .checks import as_response_matrix, as_scores
from .measurement import measurement_features, score_slope
from .score_map import ScoreMap

PARTIAL_MAP_BELOW = 0.8  # share of anchors answered below which a run is scored by the partial map


def answered_share(answers: np.ndarray) -> np.ndarray:
    """Share of the anchors each row (model) answered."""
    return 1.0 - np.isnan(answers).mean(1)


def random_masks(n_models: int, n_anchors: int, seed: int) -> np.ndarray:
    """One random mask per model (True = answered), each keeping a share drawn
    uniformly between one anchor and `PARTIAL_MAP_BELOW` of them, and at
    least one anchor."""
    rng = np.random.default_rng(seed)
    share = rng.uniform(1.0 / n_anchors, PARTIAL_MAP_BELOW, size=n_models)
    keep = rng.random((n_models, n_anchors)) < share[:, None]
    keep[np.arange(n_models), rng.integers(n_anchors, size=n_models)] = True
    return keep


@dataclass
class PartialScoreMap:
    """Settings; `fit` learns the score map for partial runs (`map_`) and the
    slope that puts the ability's standard error on the score scale (`slope_`)."""

    level: float = 0.95
    seed: int = 0

    def fit(self, calibration: Calibration, score_map: ScoreMap, anchor_responses, scores) -> "PartialScoreMap":
        """Fit on the calibration models' answers to the anchors (models x
        anchors, NaN where a model has none), randomly masked; `score_map`,
        the full map, sets the slope from ability to score."""
        y = as_response_matrix(anchor_responses, name="anchor responses")
        s = as_scores(scores, y.shape[0])
        masked = np.where(random_masks(*y.shape, self.seed), y, np.nan)
        kept = ~np.isnan(masked).all(1)  # a model missing the one anchor its mask forced is left out
        self.slope_ = score_slope(calibration, score_map, seed=self.seed)
        feats, _ = measurement_features(calibration, masked[kept], self.slope_)
        self.map_ = ScoreMap(level=self.level, seed=self.seed).fit(feats, s[kept], feats.shape[1])
        return self

    def predict(self, calibration: Calibration, answers: np.ndarray):
        """(score, lower, upper) from answers to some anchors (NaN = none)."""
        feats, _ = measurement_features(calibration, answers, self.slope_)
        return self.map_.predict(feats)

    def to_dict(self) -> dict:
        return {"map": self.map_.to_dict(), "slope": self.slope_}

    @classmethod
    def from_dict(cls, d: dict) -> "PartialScoreMap":
        m = cls(level=float(d["map"]["level"]))
        m.map_, m.slope_ = ScoreMap.from_dict(d["map"]), float(d["slope"])
        return m
