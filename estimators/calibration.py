"""The calibration core every estimate is computed against: the item bank,
the ability prior and the anchors learned from the calibration models, and
the features of a model's answers to those anchors. The score maps, the
guards and adaptive testing take it as input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ability import AbilityPrior, estimate_ability
from .anchors import AnchorSet
from .intervals import interval_stderr
from .irt import ItemBank
from .person_fit import lz_statistic

SCORE_RANGE = (0.0, 100.0)


@dataclass
class ScoreEstimate:
    """Estimated full-benchmark scores for one or more models (arrays of n)."""

    score: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    theta: np.ndarray
    theta_se: np.ndarray
    accuracy: np.ndarray
    n_answered: np.ndarray
    n_anchors: int
    extrapolated: np.ndarray
    map_score: np.ndarray  # the score map's estimate before the guards
    lz: np.ndarray  # person-fit statistic of the answers (see person_fit)
    misfit: np.ndarray  # lz below the calibration models' threshold, or an atypical pattern
    level: float = 0.95

    @property
    def stderr(self) -> np.ndarray:
        """The standard error the interval stands for: its half-width over
        the normal quantile of `level` (what lm-eval's Stderr column shows)."""
        return interval_stderr(self.lower, self.upper, self.level)


@dataclass(frozen=True)
class Calibration:
    """Item bank (every pool item), ability prior and anchors."""

    bank: ItemBank
    prior: AbilityPrior
    anchors: AnchorSet

    @property
    def anchor_bank(self) -> ItemBank:
        return self.bank.subset(self.anchors.items)

    @property
    def n_anchors(self) -> int:
        return int(self.anchors.items.size)

    @property
    def n_summary(self) -> int:
        """How many summary features lead `features` (ability dims, accuracy, pool accuracy)."""
        return self.bank.n_dims + 2

    def features(self, ya: np.ndarray, items: np.ndarray | None = None):
        """(features, EAP ability, its covariance). The features are the
        summary features followed by the answers (unanswered ones filled by
        prediction). `items`: the pool items `ya` answers (default: the anchors)."""
        items = self.anchors.items if items is None else items
        est = estimate_ability(ya, self.bank.subset(items), "eap", self.prior)
        pool = self.bank.complete_answers(est.theta, ya, items)
        accuracy = np.nanmean(ya, axis=1)
        feats = np.column_stack([est.theta, accuracy, pool.mean(1), pool[:, items]])
        return feats, est.theta, est.cov

    def typical_features(self, feats: np.ndarray) -> np.ndarray:
        """The features of a typical answer pattern of the same ability and
        accuracy: each answer replaced by its predicted probability."""
        typical = feats.copy()
        theta = feats[:, : self.bank.n_dims]
        typical[:, self.n_summary:] = self.anchor_bank.icc(theta)
        return typical

    def expected_accuracy(self, ya: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Accuracy over every anchor, as the calibration models have it: on
        a partial run, the anchors not answered count at their predicted
        probability, so that two wrong answers out of two do not read as an
        accuracy below every calibration model's."""
        missing = np.isnan(ya)
        if not missing.any():
            return np.nanmean(ya, 1)
        return np.where(missing, self.anchor_bank.icc(theta), ya).mean(1)

    def lz(self, ya: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Person-fit statistic of answers to the anchors at ability `theta`."""
        return lz_statistic(ya, self.anchor_bank.icc(theta))

    def to_dict(self) -> dict:
        return {
            "item_bank": {"slopes": self.bank.slopes.tolist(), "intercepts": self.bank.intercepts.tolist()},
            "ability_prior": {"mean": self.prior.mean.tolist(), "cov": self.prior.cov.tolist()},
            "anchors": {"items": self.anchors.items.tolist(), "weights": self.anchors.weights.tolist(),
                        "method": self.anchors.method},
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Calibration":
        a = d["anchors"]
        return cls(ItemBank(np.asarray(d["item_bank"]["slopes"]), np.asarray(d["item_bank"]["intercepts"])),
                   AbilityPrior(np.asarray(d["ability_prior"]["mean"]), np.asarray(d["ability_prior"]["cov"])),
                   AnchorSet(np.asarray(a["items"], int), np.asarray(a["weights"], float), a["method"]))
