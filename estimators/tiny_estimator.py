"""The full-score estimator: fitted on calibration models (their answers to a
pool of items and their real full-benchmark scores), it picks anchor items and
turns a new model's answers to them into an estimated full score with an
interval. `predict` is the pipeline: features -> score map (or the partial
map, or imputation) -> pattern guard -> extrapolation guard -> chance level
-> clip."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ability import AbilityPrior
from .anchors import AnchorSet, select_anchors
from .calibration import SCORE_RANGE, Calibration, ScoreEstimate
from .chance import ChanceLevel, apply_chance
from .checks import as_response_matrix, as_scores, check_budget, check_n_items
from .extrapolation import ExtrapolationGuard
from .imputation import imputed_estimate
from .irt import FittedIRT, IRTFitter
from .partial_map import PARTIAL_MAP_BELOW, PartialScoreMap, answered_share
from .pattern_guard import PatternGuard
from .person_fit import PersonFitCheck
from .score_map import ScoreMap

__all__ = ["ScoreEstimate", "TinyEstimator"]


def _adaptive_score_maps() -> type:
    # The adaptive score maps are optional (whole-pool tasks only) and only adaptive tests read them:
    # imported where an estimator fits or loads them, so scoring a fixed anchor set never loads the
    # adaptive-testing modules. adaptive_map does not import this module (no cycle).
    from .adaptive_map import AdaptiveScoreMaps
    return AdaptiveScoreMaps


def _fit_selection_oof(cal: Calibration, y: np.ndarray, s: np.ndarray, pool: np.ndarray, seed: int) -> np.ndarray:
    from .selection_oof import selection_oof  # fitting only: scoring a run never loads it
    return selection_oof(cal, y, s, pool, seed)


@dataclass
class TinyEstimator:
    """Settings; `fit` learns `calibration` (item bank, prior, anchors), the
    score maps and the guards.

    budget: number of anchors (None: the whole pool). anchor_method: see
    `select_anchors`. n_dims: dimensions of the IRT model. chance: the
    benchmark's chance level (a uniform guesser's anchor accuracy and full
    score), which lets estimates at and below it reach it (see `chance`);
    None: no chance level (estimates stay on the calibration models' maps).
    """

    budget: int | None = 100
    anchor_method: str = "kmeans"
    n_dims: int = 3
    seed: int = 0
    level: float = 0.95
    chance: ChanceLevel | None = None

    def fit(self, responses, scores, eligible=None, irt: FittedIRT | None = None) -> "TinyEstimator":
        """Fit on calibration models: responses (models x pool items, 0/1/NaN)
        and their real full-benchmark scores. Anchors are chosen among the
        `eligible` item indices (default: all), e.g. those whose text is known.
        `irt`, an IRT fit of these same responses, is reused when given."""
        y = as_response_matrix(responses)
        s = as_scores(scores, y.shape[0])
        pool = np.arange(y.shape[1]) if eligible is None else np.unique(np.asarray(eligible, dtype=int))
        if pool.size == 0 or pool.min() < 0 or pool.max() >= y.shape[1]:
            raise ValueError(f"eligible items must be indices in [0, {y.shape[1]}); got {pool.size} of them")
        k = pool.size if self.budget is None else check_budget(self.budget, pool.size)
        if irt is None:
            irt = IRTFitter(n_dims=self.n_dims, seed=self.seed).fit(y)
        elif irt.abilities.shape[0] != y.shape[0] or irt.bank.n_items != y.shape[1] or irt.bank.n_dims != self.n_dims:
            raise ValueError("the given IRT fit does not match these responses or n_dims")
        if k == pool.size:
            anchors = AnchorSet(pool, np.full(k, 1.0 / k), "all")
        else:
            chosen = select_anchors(irt.bank.subset(pool), k, self.anchor_method, self.seed, irt.abilities,
                                    responses=y[:, pool], scores=s)
            anchors = AnchorSet(pool[chosen.items], chosen.weights, chosen.method)
        cal = self.calibration_ = Calibration(irt.bank, AbilityPrior.from_abilities(irt.abilities), anchors)
        ya = y[:, anchors.items]
        feats, _, _ = cal.features(ya)
        # Supervised anchors were chosen on these models' scores: the map widens its interval for that.
        oof = _fit_selection_oof(cal, y, s, pool, self.seed) if anchors.method == "supervised" else None
        self.score_map_ = ScoreMap(level=self.level, seed=self.seed).fit(feats, s, cal.n_summary, selection_oof=oof)
        self.partial_map_ = PartialScoreMap(level=self.level, seed=self.seed).fit(cal, self.score_map_, ya, s)
        self.guard_ = ExtrapolationGuard.fit(
            np.nanmean(ya, 1), s, level=self.level,  # the accuracy `predict` passes, not the rounded feature
            refit_map=lambda tr, te: ScoreMap(level=self.level, seed=self.seed).fit(
                feats[tr], s[tr], cal.n_summary).predict_point(feats[te]),
        )
        self.person_fit_ = PersonFitCheck.fit(cal.lz(ya, feats[:, : cal.bank.n_dims]))
        self.pattern_guard_ = PatternGuard.fit(cal, self.score_map_, feats)
        self.adaptive_ = None  # fit_adaptive adds the adaptive score maps
        self.fit_info_ = {"irt_seconds": irt.seconds, "irt_converged": irt.converged, "irt_iterations": irt.n_iter,
                          "n_models": int(y.shape[0]), "n_pool_items": int(y.shape[1])}
        return self

    @property
    def anchors_(self) -> AnchorSet:
        return self.calibration_.anchors

    def predict(self, anchor_responses, seed: int = 0, partial_map_below: float = PARTIAL_MAP_BELOW) -> ScoreEstimate:
        """Estimate full scores from answers to the anchors (models x anchors,
        NaN for anchors not answered; at least one answer per model). Below
        `partial_map_below` of the anchors answered, the partial map scores a
        model (the default is what it was fitted for); above, its missing
        answers are imputed (drawn from `seed`)."""
        self.check_fitted()
        cal = self.calibration_
        ya = as_response_matrix(anchor_responses, name="anchor responses")
        check_n_items(ya, cal.n_anchors, what="the anchor set")
        feats, theta, theta_cov = cal.features(ya)
        score, lower, upper = self.score_map_.predict(feats)
        missing = np.isnan(ya)
        sparse = answered_share(ya) < partial_map_below
        if sparse.any():
            score[sparse], lower[sparse], upper[sparse] = self.partial_map_.predict(cal, ya[sparse])
        rng = np.random.default_rng(seed)
        for r in np.flatnonzero(missing.any(1) & ~sparse):  # one row per partially answered model, rare
            score[r], lower[r], upper[r] = imputed_estimate(cal, self.score_map_, ya[r], theta[r], theta_cov[r],
                                                            rng, self.level)
        map_score = score
        # The pattern guard weighs the full map's reading of each answer, which the partial map has not.
        score, lower, upper, atypical = self.pattern_guard_.apply(cal, self.score_map_, feats, score, lower, upper,
                                                                  applies=~sparse)
        expected = cal.expected_accuracy(ya, theta)
        score, lower, upper, extrapolated = self.guard_.apply(expected, score, lower, upper)
        if self.chance is not None:
            score, lower, upper = apply_chance(self.chance, self.guard_.lower, expected, (~missing).sum(1), score,
                                               lower, upper, self.level)
        lz = cal.lz(ya, theta)
        score, lower, upper, map_score = (np.clip(v, *SCORE_RANGE) for v in (score, lower, upper, map_score))
        return ScoreEstimate(
            score=score, lower=lower, upper=upper, theta=theta, theta_se=np.sqrt(theta_cov[:, 0, 0]),
            accuracy=np.nanmean(ya, 1), n_answered=(~missing).sum(1), n_anchors=int(ya.shape[1]),
            extrapolated=extrapolated, map_score=map_score, lz=lz, misfit=self.person_fit_.flags(lz) | atypical,
            level=self.level,
        )

    def fit_adaptive(self, responses, scores, rule: str = "score_variance") -> "TinyEstimator":
        """Also fit `adaptive_`, the score maps for adaptive tests, on the
        calibration models of `fit` (responses: models x pool items)."""
        self.check_fitted()
        y = as_response_matrix(responses)
        check_n_items(y, self.calibration_.bank.n_items)
        self.adaptive_ = _adaptive_score_maps()(rule, self.seed, self.level).fit(self, y[:, self.anchors_.items],
                                                                                 scores)
        return self

    def predict_adaptive(self, answers) -> ScoreEstimate:
        """Estimate full scores from adaptive tests' answers (models x
        anchors, NaN = not asked); needs `fit_adaptive` first."""
        self.check_fitted()
        if self.adaptive_ is None:
            raise RuntimeError("this estimator has no adaptive score maps: call fit_adaptive(), or load a parameter "
                               "file fitted with them (tasks with at least 20 anchors) with load_estimator(path, "
                               "adaptive=True)")
        return self.adaptive_.predict(self.calibration_, self.guard_, answers, self.level)

    def check_fitted(self) -> None:
        """Raise unless fitted (by `fit` or from a parameter file)."""
        if not hasattr(self, "score_map_"):
            raise RuntimeError("this TinyEstimator is not fitted: call fit() or load a parameter file")

    def to_dict(self) -> dict:
        self.check_fitted()
        return {
            "settings": {"budget": self.budget, "anchor_method": self.anchor_method, "n_dims": self.n_dims,
                         "seed": self.seed, "level": self.level,
                         "chance": self.chance.to_dict() if self.chance is not None else None},
            **self.calibration_.to_dict(),
            "score_map": self.score_map_.to_dict(),
            "partial_map": self.partial_map_.to_dict(),
            "extrapolation_guard": self.guard_.to_dict(),
            "person_fit": self.person_fit_.to_dict(),
            "pattern_limit": self.pattern_guard_.limit,
            "adaptive": self.adaptive_.to_dict() if self.adaptive_ is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "TinyEstimator":
        settings = dict(d["settings"])
        chance = settings.pop("chance", None)
        est = cls(**settings, chance=ChanceLevel(**chance) if chance else None)
        est.calibration_ = Calibration.from_dict(d)
        est.score_map_ = ScoreMap.from_dict(d["score_map"])
        est.partial_map_ = PartialScoreMap.from_dict(d["partial_map"])
        est.guard_ = ExtrapolationGuard.from_dict(d["extrapolation_guard"])
        est.person_fit_ = PersonFitCheck.from_dict(d["person_fit"])
        est.pattern_guard_ = PatternGuard(float(d["pattern_limit"]))
        est.adaptive_ = _adaptive_score_maps().from_dict(d["adaptive"]) if d.get("adaptive") else None
        return est
