"""From an adaptive test's answers to an estimated full score with an interval.

A model that answered k adaptively chosen items is scored by a score map
fitted on the calibration models' *own* adaptive tests of length k (their
known answers replayed through `simulate_adaptive`), so both the point
estimate and the conformal interval are calibrated for exactly that kind of
evidence. A map is kept for each of a few lengths; a test of k items uses the
longest length not above k (an interval a little wider than needed, never
narrower). The features are the EAP ability, the measurement SE of the score
and the p-IRT pool accuracy: on adaptive answers these carry as much as the
raw answers do (checked on MMLU: 1.41 vs 1.41 MAE at 40 items).

Towards the tails the interval also spans the estimator's extrapolation
guard (fitted with the fixed anchor set, see `extrapolation.py`), applied as
on a partial run of the fixed set, the anchors not asked counted at their
predicted probability: an adaptive map has the same few calibration models
to learn from there. The estimate stays the map's: the guard's fallback
lines were fitted on fixed-set accuracies, the map on adaptive tests.

The person-fit threshold is likewise the calibration models' 5% quantile of
lz at each length, because adaptively chosen items make lz less spread out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .adaptive import AdaptiveSettings, FittedEstimator, simulate_adaptive
from .calibration import SCORE_RANGE, Calibration, ScoreEstimate
from .checks import as_response_matrix, as_scores, check_n_items
from .extrapolation import ExtrapolationGuard
from .grid import on_grid
from .measurement import measurement_features, score_slope
from .person_fit import PersonFitCheck
from .score_map import ScoreMap

ADAPTIVE_LENGTHS = (5, 10, 15, 20, 25, 30, 40, 50, 60, 80)
MIN_ANCHORS = 20  # fewer anchors leave nothing to adapt


@dataclass
class AdaptiveScoreMaps:
    """Settings (the selection rule the calibration models' tests are run
    with); `fit` learns one score map, extrapolation range and person-fit
    check per test length (`lengths_`, `maps_`, `pool_range_`,
    `person_fit_`) and the slope that puts the ability on the score scale
    (`slope_`)."""

    rule: str = "score_variance"
    seed: int = 0
    level: float = 0.95

    def fit(self, estimator: FittedEstimator, anchor_responses, scores) -> "AdaptiveScoreMaps":
        """Replay the calibration models' answers to `estimator`'s anchors
        (models x anchors) as adaptive tests and fit a map per length."""
        rule, seed, level = self.rule, self.seed, self.level
        y = as_response_matrix(anchor_responses, name="anchor responses")
        calibration = estimator.calibration_
        n_anchors = calibration.n_anchors
        check_n_items(y, n_anchors, what="the anchor set")
        s = as_scores(scores, y.shape[0])
        if n_anchors < MIN_ANCHORS:
            raise ValueError(f"adaptive testing needs at least {MIN_ANCHORS} anchors to choose from; "
                             f"this estimator has {n_anchors}")
        lengths = [k for k in ADAPTIVE_LENGTHS if k < n_anchors]
        slope = score_slope(calibration, estimator.score_map_, seed=seed)
        run = simulate_adaptive(estimator, y, AdaptiveSettings(max_items=lengths[-1], rule=rule, seed=seed), slope)
        maps, ranges, checks = [], [], []
        for k in lengths:
            answers = run.responses(first=k)
            feats, ability = measurement_features(calibration, answers, slope)
            maps.append(ScoreMap(level=level, seed=seed).fit(feats, s, feats.shape[1]))
            pool = feats[:, -1]
            ranges.append((float(pool.min()), float(pool.max())))
            checks.append(PersonFitCheck.fit(calibration.lz(answers, ability.theta)))
        self.lengths_, self.maps_, self.pool_range_, self.person_fit_, self.slope_ = lengths, maps, ranges, checks, slope
        return self

    def _length_index(self, n_answered: np.ndarray) -> np.ndarray:
        short = n_answered < self.lengths_[0]
        if short.any():
            raise ValueError(f"an adaptive estimate needs at least {self.lengths_[0]} answers; "
                             f"got {int(n_answered[short][0])}")
        return np.searchsorted(self.lengths_, n_answered, side="right") - 1

    def predict(self, calibration: Calibration, guard: ExtrapolationGuard, answers,
                level: float = 0.95) -> ScoreEstimate:
        """Estimates from adaptive tests' answers (models x anchors, NaN = not
        asked); `guard`, the fixed anchor set's extrapolation guard, widens
        the interval in the tails."""
        y = as_response_matrix(answers, name="adaptive answers")
        check_n_items(y, calibration.n_anchors, what="the anchor set")
        n_answered = (~np.isnan(y)).sum(1)
        which = self._length_index(n_answered)
        feats, est = measurement_features(calibration, y, self.slope_)
        theta = est.theta
        score, lower, upper = (np.empty(y.shape[0]) for _ in range(3))
        extrapolated, misfit = np.zeros(y.shape[0], bool), np.zeros(y.shape[0], bool)
        lz = calibration.lz(y, theta)
        for i in np.unique(which):  # one map per test length present, a handful at most
            rows = which == i
            score[rows], lower[rows], upper[rows] = self.maps_[i].predict(feats[rows])
            lo, hi = on_grid(self.pool_range_[i])  # the range's ends are calibration models' own values
            pool = on_grid(feats[rows, -1])
            extrapolated[rows] = (pool < lo) | (pool > hi)
            misfit[rows] = self.person_fit_[i].flags(lz[rows])
        # The anchors not asked count at their predicted probability, as on a partial run of the fixed set.
        _, g_lower, g_upper, beyond = guard.apply(calibration.expected_accuracy(y, theta), score, lower, upper)
        lower, upper = np.minimum(lower, g_lower), np.maximum(upper, g_upper)
        low, high = SCORE_RANGE
        score, lower, upper = (np.clip(v, low, high) for v in (score, lower, upper))
        return ScoreEstimate(
            score=score, lower=lower, upper=upper, theta=theta, theta_se=est.se, accuracy=np.nanmean(y, 1),
            n_answered=n_answered, n_anchors=int(y.shape[1]), extrapolated=extrapolated | beyond,
            map_score=score.copy(),
            lz=lz, misfit=misfit, level=level,
        )

    def to_dict(self) -> dict:
        return {
            "lengths": list(self.lengths_), "maps": [m.to_dict() for m in self.maps_],
            "pool_range": [list(r) for r in self.pool_range_], "person_fit": [c.to_dict() for c in self.person_fit_],
            "slope": self.slope_, "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "AdaptiveScoreMaps":
        maps = [ScoreMap.from_dict(m) for m in d["maps"]]
        m = cls(rule=str(d["rule"]), level=maps[0].level if maps else 0.95)
        m.lengths_, m.maps_ = [int(k) for k in d["lengths"]], maps
        m.pool_range_ = [tuple(r) for r in d["pool_range"]]
        m.person_fit_ = [PersonFitCheck.from_dict(c) for c in d["person_fit"]]
        m.slope_ = float(d["slope"])
        return m

