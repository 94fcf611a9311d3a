"""Ranking several models from their estimates: rank intervals, the
probability of being best or in the top k, and pairwise P(A > B), with the
estimates' errors correlated as the calibration data shows they are.

Two models scored on the same anchors by the same parameters share the
score map's local bias, so their errors move together, the more the closer
their scores. Per task the correlation of two models' standardised errors is
modelled as rho(d) = rho0 * exp(-d / length), d the distance between their
estimates in points, and fitted on held-out estimates of calibration models
(`ErrorCorrelation.fit`). Estimates of different tasks (other anchors, or
another benchmark) are taken as independent. rho0 * exp(-|d|/length) plus
(1 - rho0) on the diagonal is a valid correlation matrix for every set of
scores (the exponential kernel is positive definite on the line).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import norm

from .intervals import interval_stderr, z_of

Z95 = z_of(0.95)
DISTANCE_BINS = np.array([0, 0.5, 1, 2, 3, 5, 8, 12, 20, 35, 100.0])


@dataclass(frozen=True)
class ErrorCorrelation:
    """rho(d) = rho0 * exp(-d / length) between two models' errors on one task."""

    rho0: float
    length: float

    def __call__(self, distance) -> np.ndarray:
        return self.rho0 * np.exp(-np.abs(np.asarray(distance, float)) / self.length)

    def matrix(self, score: np.ndarray) -> np.ndarray:
        """The correlation matrix of the errors of models with these estimates."""
        score = np.asarray(score, float)
        r = self(score[:, None] - score[None, :])
        np.fill_diagonal(r, 1.0)
        return r

    def to_dict(self) -> dict:
        return {"rho0": self.rho0, "length": self.length}

    @classmethod
    def from_dict(cls, d: dict) -> "ErrorCorrelation":
        return cls(float(d["rho0"]), float(d["length"]))

    @classmethod
    def fit(cls, score, lower, upper, truth, groups) -> tuple["ErrorCorrelation", dict]:
        """From held-out estimates of calibration models (1-D arrays) and
        `groups`, the cross-validation fold of each (pairs are formed within
        a fold: those models were scored by one fitted estimator, as a
        user's models are by the shipped one). Returns the fit and the
        binned empirical correlations it was fitted to."""
        score, truth, groups = (np.asarray(v) for v in (score, truth, groups))
        z = (score - truth) / interval_stderr(lower, upper)
        scale = float(np.mean(z ** 2))
        prod, dist = [], []
        for g in np.unique(groups):
            idx = np.flatnonzero(groups == g)
            i, j = np.triu_indices(idx.size, 1)
            prod.append(z[idx[i]] * z[idx[j]] / scale)
            dist.append(np.abs(score[idx[i]] - score[idx[j]]))
        prod, dist = np.concatenate(prod), np.concatenate(dist)
        which = np.digitize(dist, DISTANCE_BINS[1:-1])
        counts = np.bincount(which, minlength=DISTANCE_BINS.size - 1)
        used = counts > 0
        mean_rho = np.bincount(which, prod, minlength=counts.size)[used] / counts[used]
        mid = np.bincount(which, dist, minlength=counts.size)[used] / counts[used]
        w = np.sqrt(counts[used])

        def resid(p):
            return w * (p[0] * np.exp(-mid / p[1]) - mean_rho)

        fit = least_squares(resid, x0=[0.1, 5.0], bounds=([0.0, 0.05], [0.99, 200.0]))
        rho0, length = (float(v) for v in fit.x)
        bins = [{"from": float(DISTANCE_BINS[k]), "to": float(DISTANCE_BINS[k + 1]), "pairs": int(counts[k]),
                 "rho": float(r)} for k, r in zip(np.flatnonzero(used), mean_rho)]
        return cls(rho0, length), {"bins": bins, "n_pairs": int(counts.sum())}


@dataclass
class Ranking:
    """Models in order of estimated score with what the ranking is sure of."""

    models: list[str]
    score: np.ndarray  # the ranked quantity (e.g. the average of the tasks' estimates)
    se: np.ndarray
    rank_lower: np.ndarray  # 95% interval of each model's rank (1 = best)
    rank_upper: np.ndarray
    prob_best: np.ndarray
    prob_top_k: np.ndarray
    top_k: int
    prob_ahead: np.ndarray  # [i, j]: P(model i's full score > model j's)
    index: np.ndarray  # the position of each ranked model in the input

    @property
    def prob_top_k_by_input(self) -> np.ndarray:
        """P(in the top k) of each model, in input order."""
        out = np.empty(len(self.index))
        out[self.index] = self.prob_top_k
        return out


def error_covariance(score: np.ndarray, se: np.ndarray, task_ids: np.ndarray,
                     correlation: dict) -> np.ndarray:
    """Covariance of the averaged errors of M models over T tasks.

    score, se: M x T estimates and their standard errors; task_ids: M x T
    task names (the task each estimate came from; different tasks of one
    benchmark have other anchors and are taken as independent);
    correlation: task name -> ErrorCorrelation (a task without one is
    independent across models)."""
    m, t = score.shape
    cov = np.zeros((m, m))
    for j in range(t):
        block = np.diag(se[:, j] ** 2)
        for task, corr in correlation.items():
            on = task_ids[:, j] == task
            if on.sum() > 1:
                s = score[on, j]
                sub = corr.matrix(s) * np.outer(se[on, j], se[on, j])
                block[np.ix_(on, on)] = sub
        cov += block
    return cov / t ** 2


def rank_models(models: list[str], score: np.ndarray, cov: np.ndarray, top_k: int = 3,
                draws: int = 20000, seed: int = 0) -> Ranking:
    """Rank intervals and P(best), P(top k) by drawing the true scores from
    N(score, cov); pairwise P(A > B) in closed form."""
    score = np.asarray(score, float)
    m = score.size
    if cov.shape != (m, m) or not np.isfinite(cov).all() or not np.isfinite(score).all():
        raise ValueError("the scores and their covariance must be finite, one row per model")
    top_k = max(1, min(top_k, m - 1))  # the top k of k models is certain: say nothing about it
    order = np.argsort(-score, kind="stable")
    score, cov = score[order], cov[np.ix_(order, order)]
    models = [models[i] for i in order]
    se = np.sqrt(np.diag(cov))
    chol = np.linalg.cholesky(cov + 1e-9 * np.eye(m))
    truth = score + np.random.default_rng(seed).standard_normal((draws, m)) @ chol.T
    ranks = np.empty_like(truth, dtype=np.int32)
    np.put_along_axis(ranks, np.argsort(-truth, axis=1), np.arange(1, m + 1, dtype=np.int32)[None, :], axis=1)
    var_diff = se[:, None] ** 2 + se[None, :] ** 2 - 2 * cov
    diff = score[:, None] - score[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ahead = norm.cdf(diff / np.sqrt(np.maximum(var_diff, 0)))
    ahead = np.where(var_diff > 0, ahead, (diff > 0) + 0.5 * (diff == 0))
    np.fill_diagonal(ahead, np.nan)
    return Ranking(models, score, se,
                   rank_lower=np.quantile(ranks, 0.025, axis=0, method="inverted_cdf").astype(int),
                   rank_upper=np.quantile(ranks, 0.975, axis=0, method="inverted_cdf").astype(int),
                   prob_best=(ranks == 1).mean(0), prob_top_k=(ranks <= top_k).mean(0), top_k=top_k,
                   prob_ahead=ahead, index=order)


def prob_top_k(score: np.ndarray, cov: np.ndarray, top_k: int, draws: int = 4000, seed: int = 0) -> np.ndarray:
    """P(in the top k) of each model, in input order."""
    return rank_models([str(i) for i in range(len(score))], score, cov, top_k, draws, seed).prob_top_k_by_input
