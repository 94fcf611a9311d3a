"""A calibrated map from features of a model's answers (ability, accuracy,
the answers themselves) to its full-benchmark score, with prediction
intervals from cross-validated residuals.

The map is a ridge regression on a restricted cubic spline basis of the
summary features (linear beyond the outer knots, so stronger-than-seen models
extrapolate linearly rather than flat) plus the raw answers linearly. The
interval half-width is q * sigma(x), where sigma(x) is a second such map fitted
to absolute out-of-fold residuals and q their normalised 95% quantile
(split-conformal).

q is learned per band of the real score (label-conditional conformal
prediction, Vovk 2012): any regression pulls the strongest models' estimates
down and the weakest up, so one q covers 95% of all models but too few of the
strongest (on the leaderboard's HellaSwag and Winogrande 85% of the strongest
5%) and too many of the middle. A score y is inside a model's interval when its
normalised residual |y - mu(x)| / sigma(x) is within the q of y's own band; the
interval is the hull of those scores, so each band's models are covered at the
level, not only all models together.
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
# Edges between the score bands that get their own conformal quantile, as
# percentiles of the calibration models' real scores.
BAND_PERCENTILES = (5.0, 95.0)


def conformal_quantile(ratios: np.ndarray, level: float) -> float:
    """The split-conformal quantile: the ceil((n + 1) level)-th smallest of n
    calibration ratios (the largest when there are too few)."""
    n = ratios.size
    rank = min(int(np.ceil((n + 1) * level)), n)
    return float(np.sort(ratios)[rank - 1])


def band_scales(sigma: np.ndarray, n_bands: int) -> np.ndarray:
    """models x bands: the scale each band's residuals are measured in. The
    outer bands measure them in points, the inner ones in units of sigma(x):
    sigma(x) is fitted on every model, and at the ends of the score range its
    shape (e.g. shrinking towards the strongest) says little about how far a
    model of that band can be from its estimate."""
    scales = np.repeat(sigma[:, None], n_bands, axis=1)
    scales[:, [0, -1]] = 1.0
    return scales


def band_quantiles(scores: np.ndarray, resid: np.ndarray, sigma: np.ndarray,
                   level: float) -> tuple[np.ndarray, np.ndarray]:
    """(edges, quantile per band): the bands split the real scores at
    BAND_PERCENTILES; each band's quantile is the conformal quantile of its
    models' absolute residuals in the band's scale (see band_scales)."""
    edges = np.percentile(scores, BAND_PERCENTILES)
    band = np.searchsorted(edges, scores, side="right")
    ratios = np.abs(resid)[:, None] / band_scales(sigma, edges.size + 1)
    return edges, np.array([conformal_quantile(ratios[band == k, k], level) for k in range(edges.size + 1)])


def band_interval(mu: np.ndarray, sigma: np.ndarray, edges: np.ndarray, quantiles: np.ndarray):
    """(lower, upper): the hull of the scores y within q(band of y) band
    scales of mu. It contains mu, since mu's own band admits it."""
    reach = quantiles[None, :] * band_scales(sigma, quantiles.size)
    lo = np.maximum(mu[:, None] - reach, np.concatenate([[-np.inf], edges])[None, :])
    hi = np.minimum(mu[:, None] + reach, np.concatenate([edges, [np.inf]])[None, :])
    empty = lo > hi
    return np.where(empty, np.inf, lo).min(1), np.where(empty, -np.inf, hi).max(1)


def model_folds(n_models: int, n_folds: int = N_FOLDS, seed: int = 0):
    """The (train, test) index splits over calibration models that
    `ScoreMap.fit` computes its out-of-fold residuals on."""
    return KFold(n_folds, shuffle=True, random_state=seed).split(np.zeros((n_models, 1)))


@dataclass
class ScoreMap:
    """Settings of the map from features to full score; `fit` learns the
    point map (a blend of the spline model and boosted trees on the summary
    features, weight chosen by out-of-fold error), the residual-scale map and
    the conformal quantile of each score band (`band_edges_` split them)."""

    level: float = 0.95
    n_folds: int = N_FOLDS
    seed: int = 0
    use_trees: bool = True

    def fit(self, features: np.ndarray, scores: np.ndarray, n_smooth: int,
            selection_oof: np.ndarray | None = None) -> "ScoreMap":
        """Fit on calibration models: features (models x f, the first
        `n_smooth` of them smooth), real full scores.

        `selection_oof`: when the features' items were chosen on these same
        models' scores, the spline's out-of-fold predictions (on
        `model_folds(len(scores), n_folds, seed)`) with each fold's items
        chosen without it. Residuals of models that helped choose the items
        are too small, so the conformal quantiles are scaled by the ratio of
        those out-of-fold residual quantiles to the spline's own (at least 1)."""
        summary = features[:, :n_smooth]
        oof_spline = np.empty_like(scores)
        oof_trees = np.zeros_like(scores)
        for train, test in model_folds(len(scores), self.n_folds, self.seed):
            oof_spline[test] = fit_linear_spline(features[train], scores[train], n_smooth).predict(features[test])
            if self.use_trees:
                oof_trees[test] = fit_boosted_trees(summary[train], scores[train], self.seed).predict(summary[test])
        weight = 0.0
        if self.use_trees:
            mae = [np.mean(np.abs(scores - (w * oof_trees + (1 - w) * oof_spline))) for w in BLEND_GRID]
            weight = float(BLEND_GRID[int(np.argmin(mae))])
        oof = weight * oof_trees + (1 - weight) * oof_spline
        self.n_smooth_ = int(n_smooth)
        self.point_ = fit_linear_spline(features, scores, n_smooth)
        self.trees_ = fit_boosted_trees(summary, scores, self.seed) if weight > 0 else None
        self.tree_weight_ = weight
        resid = np.abs(scores - oof)
        self.spread_ = fit_linear_spline(summary, resid, n_smooth)
        self.spread_floor_ = float(np.quantile(resid, 0.1)) + 1e-6
        sigma = np.maximum(self.spread_.predict(summary), self.spread_floor_)
        edges, q = band_quantiles(scores, resid, sigma, self.level)
        if selection_oof is not None:
            q_honest, q_naive = (np.quantile(np.abs(scores - pred) / sigma, self.level)
                                 for pred in (selection_oof, oof_spline))
            q = q * float(max(q_honest / q_naive, 1.0))
        self.band_edges_, self.band_quantiles_ = edges, q
        return self

    def predict_point(self, features: np.ndarray) -> np.ndarray:
        mu = self.point_.predict(features)
        if self.trees_ is not None and self.tree_weight_ > 0:
            mu = (1 - self.tree_weight_) * mu + self.tree_weight_ * self.trees_.predict(features[:, : self.n_smooth_])
        return mu

    def predict(self, features: np.ndarray):
        """Point estimates and (lower, upper) bounds of the interval."""
        mu = self.predict_point(features)
        sigma = np.maximum(self.spread_.predict(features[:, : self.n_smooth_]), self.spread_floor_)
        lower, upper = band_interval(mu, sigma, self.band_edges_, self.band_quantiles_)
        return mu, lower, upper

    def to_dict(self) -> dict:
        return {
            "point": self.point_.to_dict(), "spread": self.spread_.to_dict(),
            "band_edges": self.band_edges_.tolist(), "band_quantiles": self.band_quantiles_.tolist(),
            "spread_floor": self.spread_floor_,
            "n_smooth": self.n_smooth_, "level": self.level,
            "tree_weight": self.tree_weight_, "trees": self.trees_.to_dict() if self.trees_ is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ScoreMap":
        m = cls(level=float(d["level"]))
        m.point_, m.spread_ = LinearSplineModel.from_dict(d["point"]), LinearSplineModel.from_dict(d["spread"])
        m.band_edges_, m.band_quantiles_ = np.asarray(d["band_edges"], float), np.asarray(d["band_quantiles"], float)
        m.spread_floor_, m.n_smooth_ = float(d["spread_floor"]), int(d["n_smooth"])
        m.trees_ = BoostedTrees.from_dict(d["trees"]) if d.get("trees") else None
        m.tree_weight_ = float(d.get("tree_weight", 0.0))
        return m
