"""A calibrated map from features of a model's answers (ability, accuracy,
the answers themselves) to its full-benchmark score, with prediction
intervals from cross-validated residuals.

The map is a ridge regression on a restricted cubic spline basis of the
summary features (linear beyond the outer knots, so stronger-than-seen models
extrapolate linearly rather than flat) plus the raw answers linearly. The
interval half-width is q * sigma(x), where sigma(x) is a second such map fitted
to absolute out-of-fold residuals and q their normalised 95% quantile
(split-conformal), so coverage holds on exchangeable new models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold

from .boosted_trees import BoostedTrees, fit_boosted_trees

ALPHAS = np.logspace(-3, 3, 25)


def rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Restricted cubic spline basis (x plus len(knots)-2 cubic terms)."""
    t = knots
    kk = len(t)
    scale = (t[-1] - t[0]) ** 2
    cols = [x]
    pos3 = lambda v: np.maximum(v, 0.0) ** 3  # noqa: E731
    for j in range(kk - 2):
        cols.append(
            (
                pos3(x - t[j])
                - pos3(x - t[-2]) * (t[-1] - t[j]) / (t[-1] - t[-2])
                + pos3(x - t[-1]) * (t[-2] - t[j]) / (t[-1] - t[-2])
            )
            / scale
        )
    return np.column_stack(cols)


@dataclass
class LinearSplineModel:
    """Standardise -> spline basis on the first `n_smooth` columns, linear on
    the rest -> linear predictor. Plain arrays, so it serialises to JSON."""

    center: np.ndarray
    scale: np.ndarray
    knots: np.ndarray  # n_smooth x n_knots, in standardised units
    coef: np.ndarray
    intercept: float

    def design(self, x: np.ndarray) -> np.ndarray:
        return _design(x, self.center, self.scale, self.knots)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.design(x) @ self.coef + self.intercept

    def to_dict(self) -> dict:
        return {k: _tolist(getattr(self, k)) for k in ("center", "scale", "knots", "coef", "intercept")}

    @classmethod
    def from_dict(cls, d: dict) -> "LinearSplineModel":
        return cls(
            np.asarray(d["center"], float), np.asarray(d["scale"], float),
            np.asarray(d["knots"], float).reshape(len(d["knots"]), -1),
            np.asarray(d["coef"], float), float(d["intercept"]),
        )


def _tolist(v):
    return v.tolist() if isinstance(v, np.ndarray) else v


def _design(x, center, scale, knots):
    z = (x - center) / scale
    n_smooth = knots.shape[0]
    parts = [rcs_basis(z[:, i], knots[i]) for i in range(n_smooth)]
    parts.append(z[:, n_smooth:])
    return np.column_stack(parts)


def fit_linear_spline(x: np.ndarray, y: np.ndarray, n_smooth: int, n_knots: int = 5) -> LinearSplineModel:
    """Fit a `LinearSplineModel` by ridge regression with the penalty chosen
    by generalised cross-validation."""
    center = x.mean(0)
    scale = x.std(0)
    scale[scale == 0] = 1.0
    z = (x - center) / scale
    qs = np.linspace(0.05, 0.95, n_knots)
    knots = np.quantile(z[:, :n_smooth], qs, axis=0).T if n_smooth else np.zeros((0, n_knots))
    # Distinct knots are needed; jitter ties from discrete features.
    knots = knots + np.arange(n_knots)[None, :] * 1e-6
    design = _design(x, center, scale, knots)
    ridge = RidgeCV(alphas=ALPHAS).fit(design, y)
    return LinearSplineModel(center, scale, knots, ridge.coef_.copy(), float(ridge.intercept_))


BLEND_GRID = np.linspace(0.0, 1.0, 11)
N_FOLDS = 5


def model_folds(n_models: int, n_folds: int = N_FOLDS, seed: int = 0):
    """The (train, test) index splits over calibration models that
    `ScoreMap.fit` computes its out-of-fold residuals on."""
    return KFold(n_folds, shuffle=True, random_state=seed).split(np.zeros((n_models, 1)))


@dataclass
class ScoreMap:
    """Point map (a blend of the spline model and boosted trees on the
    summary features, weight chosen by out-of-fold error), residual-scale map
    and conformal quantile."""

    point: LinearSplineModel
    spread: LinearSplineModel
    quantile: float
    spread_floor: float
    n_smooth: int
    level: float = 0.95
    trees: BoostedTrees | None = None
    tree_weight: float = 0.0

    @classmethod
    def fit(
        cls, features: np.ndarray, scores: np.ndarray, n_smooth: int,
        level: float = 0.95, n_folds: int = N_FOLDS, seed: int = 0, use_trees: bool = True,
        selection_oof: np.ndarray | None = None,
    ) -> "ScoreMap":
        """Fit on calibration models: features (models x f), real full scores.

        `selection_oof`: when the features' items were chosen on these same
        models' scores, the spline's out-of-fold predictions (on
        `model_folds(len(scores), n_folds, seed)`) with each fold's items
        chosen without it. Residuals of models that helped choose the items
        are too small, so the conformal quantile is scaled by the ratio of
        those out-of-fold residual quantiles to the spline's own (at least 1)."""
        summary = features[:, :n_smooth]
        oof_spline = np.empty_like(scores)
        oof_trees = np.zeros_like(scores)
        for train, test in model_folds(len(scores), n_folds, seed):
            oof_spline[test] = fit_linear_spline(features[train], scores[train], n_smooth).predict(features[test])
            if use_trees:
                oof_trees[test] = fit_boosted_trees(summary[train], scores[train], seed).predict(summary[test])
        weight = 0.0
        if use_trees:
            mae = [np.mean(np.abs(scores - (w * oof_trees + (1 - w) * oof_spline))) for w in BLEND_GRID]
            weight = float(BLEND_GRID[int(np.argmin(mae))])
        oof = weight * oof_trees + (1 - weight) * oof_spline
        point = fit_linear_spline(features, scores, n_smooth)
        trees = fit_boosted_trees(summary, scores, seed) if weight > 0 else None
        resid = np.abs(scores - oof)
        spread = fit_linear_spline(summary, resid, n_smooth)
        floor = float(np.quantile(resid, 0.1)) + 1e-6
        sigma = np.maximum(spread.predict(summary), floor)
        q = float(np.quantile(resid / sigma, level))
        if selection_oof is not None:
            q_honest, q_naive = (np.quantile(np.abs(scores - pred) / sigma, level) for pred in (selection_oof, oof_spline))
            q *= float(max(q_honest / q_naive, 1.0))
        return cls(point, spread, q, floor, n_smooth, level, trees, weight)

    def predict_point(self, features: np.ndarray) -> np.ndarray:
        mu = self.point.predict(features)
        if self.trees is not None and self.tree_weight > 0:
            mu = (1 - self.tree_weight) * mu + self.tree_weight * self.trees.predict(features[:, : self.n_smooth])
        return mu

    def predict(self, features: np.ndarray):
        """Point estimates and (lower, upper) bounds of the interval."""
        mu = self.predict_point(features)
        half = self.quantile * np.maximum(self.spread.predict(features[:, : self.n_smooth]), self.spread_floor)
        return mu, mu - half, mu + half

    def to_dict(self) -> dict:
        return {
            "point": self.point.to_dict(), "spread": self.spread.to_dict(),
            "quantile": self.quantile, "spread_floor": self.spread_floor,
            "n_smooth": self.n_smooth, "level": self.level,
            "tree_weight": self.tree_weight, "trees": self.trees.to_dict() if self.trees is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ScoreMap":
        return cls(
            LinearSplineModel.from_dict(d["point"]), LinearSplineModel.from_dict(d["spread"]),
            float(d["quantile"]), float(d["spread_floor"]), int(d["n_smooth"]), float(d["level"]),
            BoostedTrees.from_dict(d["trees"]) if d.get("trees") else None, float(d.get("tree_weight", 0.0)),
        )
