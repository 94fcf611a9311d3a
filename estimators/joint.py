"""A joint estimate across tasks: each task's score estimate corrected by
what the model's estimates on the other tasks say.

A model's six leaderboard scores are correlated, and so are the estimates'
errors with the other tasks' scores (a model strong on ARC but estimated
weak on HellaSwag from a few anchors probably is not). Per task, gradient
boosted trees learn the error of that task's estimate from all tasks'
estimates, on held-out estimates of calibration models (estimates of models
the per-task estimators were not fitted on, so the errors are real ones).
The interval is the task's own interval rescaled so that, cross-validated,
`level` of the corrected estimates' errors fall inside it; each side keeps
its own reach (a task's interval can be asymmetric), rescaled by one factor. A task whose
cross-validated corrected error is not below its own keeps its own estimate
and interval (on the shared data GSM8K's 486-item estimate gained nothing
from the other five).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold

from .boosted_trees import BoostedTrees, fit_boosted_trees

N_FOLDS = 5
MIN_MODELS = 50  # fewer models with every task: too few to learn corrections from


def _check(score: np.ndarray, lower: np.ndarray, upper: np.ndarray, n_tasks: int | None = None) -> None:
    if not (score.ndim == 2 and score.shape == lower.shape == upper.shape):
        raise ValueError(f"score, lower and upper must be models x tasks arrays of one shape, got "
                         f"{score.shape}, {lower.shape}, {upper.shape}")
    if n_tasks is not None and score.shape[1] != n_tasks:
        raise ValueError(f"the joint estimate needs all {n_tasks} tasks' estimates, got {score.shape[1]}")
    if not (np.isfinite(score).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
        raise ValueError("estimates and bounds must be finite (a NaN means a task was not estimated)")
    if (upper < lower).any():
        raise ValueError("an upper bound is below its lower bound")


def _fit_corrections(score: np.ndarray, truth: np.ndarray, seed: int) -> list[BoostedTrees]:
    return [fit_boosted_trees(score, truth[:, j] - score[:, j], seed) for j in range(score.shape[1])]


def _corrected(trees: list[BoostedTrees], score: np.ndarray) -> np.ndarray:
    return score + np.column_stack([t.predict(score) for t in trees])


def _reach_ratio(centre: np.ndarray, truth: np.ndarray, score: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray) -> np.ndarray:
    """How many times the task's own interval reach on the side of the truth
    (score - lower below, upper - score above) the truth is from `centre`."""
    down, up = (np.maximum(r, 1e-9) for r in (score - lower, upper - score))
    return np.where(truth >= centre, (truth - centre) / up, (centre - truth) / down)


def cross_validated_correction(score: np.ndarray, truth: np.ndarray, n_folds: int = N_FOLDS,
                               seed: int = 0) -> np.ndarray:
    """Corrected estimates of every model from corrections fitted without it."""
    out = np.empty_like(score)
    for tr, te in KFold(n_folds, shuffle=True, random_state=seed).split(score):
        out[te] = _corrected(_fit_corrections(score[tr], truth[tr], seed), score[te])
    return out


@dataclass(frozen=True)
class JointCorrection:
    """Per task, the learned error of its estimate given all tasks' estimates,
    and the factor both sides of its interval's reach are scaled by."""

    tasks: tuple[str, ...]
    trees: tuple[BoostedTrees, ...]
    width_factors: tuple[float, ...]
    level: float
    corrected: tuple[bool, ...]  # per task: False keeps the task's own estimate and interval

    @classmethod
    def fit(cls, tasks: list[str], score: np.ndarray, lower: np.ndarray, upper: np.ndarray,
            truth: np.ndarray, level: float = 0.95, seed: int = 0) -> "JointCorrection":
        """score/lower/upper: held-out estimates (models x tasks); truth: the
        real scores, same shape."""
        score, lower, upper, truth = (np.asarray(v, float) for v in (score, lower, upper, truth))
        _check(score, lower, upper, len(tasks))
        if truth.shape != score.shape or not np.isfinite(truth).all():
            raise ValueError("truth must be finite real scores of the same models x tasks shape as score")
        if score.shape[0] < MIN_MODELS:
            raise ValueError(f"a joint estimate needs at least {MIN_MODELS} models with every task, got "
                             f"{score.shape[0]}")
        cv = cross_validated_correction(score, truth, seed=seed)
        factors = np.quantile(_reach_ratio(cv, truth, score, lower, upper), level, axis=0)
        helps = np.abs(cv - truth).mean(0) < np.abs(score - truth).mean(0)
        return cls(tuple(tasks), tuple(_fit_corrections(score, truth, seed)),
                   tuple(float(f) if h else 1.0 for f, h in zip(factors, helps)), float(level),
                   tuple(bool(h) for h in helps))

    def apply(self, score: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              extrapolated: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Joint (score, lower, upper), models x tasks in the order of `tasks`.
        Estimates flagged as extrapolated keep their own: the corrections
        were learned inside the calibration range."""
        score, lower, upper = (np.atleast_2d(np.asarray(v, float)) for v in (score, lower, upper))
        _check(score, lower, upper, len(self.tasks))
        centre = np.clip(_corrected(list(self.trees), score), 0.0, 100.0)
        f = np.asarray(self.width_factors)
        lo = np.clip(centre - f * (score - lower), 0.0, 100.0)
        hi = np.clip(centre + f * (upper - score), 0.0, 100.0)
        keep = np.broadcast_to(~np.asarray(self.corrected), score.shape)
        if extrapolated is not None:
            keep = keep | np.atleast_2d(np.asarray(extrapolated, bool))
        return tuple(np.where(keep, own, joint) for own, joint in ((score, centre), (lower, lo), (upper, hi)))

    def to_dict(self) -> dict:
        return {"tasks": list(self.tasks), "trees": [t.to_dict() for t in self.trees],
                "width_factors": list(self.width_factors), "level": self.level, "corrected": list(self.corrected)}

    @classmethod
    def from_dict(cls, d: dict) -> "JointCorrection":
        return cls(tuple(d["tasks"]), tuple(BoostedTrees.from_dict(t) for t in d["trees"]),
                   tuple(float(f) for f in d["width_factors"]), float(d["level"]),
                   tuple(bool(c) for c in d["corrected"]))
