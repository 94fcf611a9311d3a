"""Ability estimates of new models from any subset of items: MLE, MAP and EAP,
each with a standard error. NaN marks an item that was not given."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_expit, logsumexp

from .checks import as_response_matrix, check_n_items
from .irt import ItemBank

METHODS = ("mle", "map", "eap")


@dataclass
class AbilityPrior:
    """Gaussian prior over abilities, usually that of the calibration models."""

    mean: np.ndarray
    cov: np.ndarray

    @classmethod
    def standard(cls, n_dims: int) -> "AbilityPrior":
        return cls(np.zeros(n_dims), np.eye(n_dims))

    @classmethod
    def from_abilities(cls, abilities: np.ndarray) -> "AbilityPrior":
        t = np.atleast_2d(np.asarray(abilities, dtype=float))
        if t.shape[0] == 1:
            t = t.T
        cov = np.atleast_2d(np.cov(t, rowvar=False)) + 1e-6 * np.eye(t.shape[1])
        return cls(t.mean(0), cov)


@dataclass
class AbilityEstimate:
    """Per-model ability (n x dims), its covariance (n x dims x dims) and the
    standard error of the first dimension."""

    theta: np.ndarray
    cov: np.ndarray
    method: str

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(self.cov[:, 0, 0])


def estimate_ability(
    responses,
    bank: ItemBank,
    method: str = "eap",
    prior: AbilityPrior | None = None,
    bounds: tuple[float, float] = (-6.0, 6.0),
    n_quadrature: int | None = None,
) -> AbilityEstimate:
    """Estimate each row's ability from its 0/1/NaN responses to `bank`'s items.

    method: "mle" (no prior; abilities clipped to `bounds` when all answers
    agree), "map" (posterior mode, Laplace covariance) or "eap" (posterior
    mean and covariance by quadrature).
    """
    if method not in METHODS:
        raise ValueError(f"unknown ability method {method!r}; choose one of {METHODS}")
    y = as_response_matrix(responses)
    check_n_items(y, bank.n_items)
    prior = prior or AbilityPrior.standard(bank.n_dims)
    if method == "eap":
        return _eap(y, bank, prior, n_quadrature)
    return _newton(y, bank, prior if method == "map" else None, bounds, method)


def _quadrature(prior: AbilityPrior, n_points: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (G x dims) and log-weights of a Gauss-Hermite grid for the prior."""
    d = prior.mean.shape[0]
    q = n_points or {1: 81, 2: 25, 3: 11}.get(d, 7)
    x, w = np.polynomial.hermite_e.hermegauss(q)
    grids = np.meshgrid(*([x] * d), indexing="ij")
    z = np.column_stack([g.ravel() for g in grids])
    logw = np.sum(np.log(np.meshgrid(*([w] * d), indexing="ij")).reshape(d, -1), axis=0)
    chol = np.linalg.cholesky(prior.cov)
    return prior.mean + z @ chol.T, logw


def log_likelihood_grid(y: np.ndarray, bank: ItemBank, nodes: np.ndarray) -> np.ndarray:
    """Log-likelihood of each response row at each ability node: n x G."""
    logits = nodes @ bank.slopes.T + bank.intercepts  # G x J
    mask = ~np.isnan(y)
    y0 = np.where(mask, y, 0.0)
    return y0 @ log_expit(logits).T + (mask - y0) @ log_expit(-logits).T


def _eap(y, bank, prior, n_quadrature) -> AbilityEstimate:
    nodes, logw = _quadrature(prior, n_quadrature)
    logpost = log_likelihood_grid(y, bank, nodes) + logw
    post = np.exp(logpost - logsumexp(logpost, axis=1, keepdims=True))
    mean = post @ nodes
    centred = nodes[None, :, :] - mean[:, None, :]
    cov = np.einsum("ng,ngd,nge->nde", post, centred, centred)
    return AbilityEstimate(mean, cov, "eap")


def _newton(y, bank, prior, bounds, method, n_iter: int = 50) -> AbilityEstimate:
    n, d = y.shape[0], bank.n_dims
    mask = ~np.isnan(y)
    y0 = np.where(mask, y, 0.0)
    a, b = bank.slopes, bank.intercepts
    prec = np.linalg.inv(prior.cov) if prior is not None else np.zeros((d, d))
    mu = prior.mean if prior is not None else np.zeros(d)
    theta = np.tile(mu, (n, 1)).astype(float)
    lo, hi = bounds
    for _ in range(n_iter):
        p = expit(theta @ a.T + b)
        grad = (mask * (y0 - p)) @ a - (theta - mu) @ prec
        w = mask * p * (1 - p)
        hess = np.einsum("nj,jd,je->nde", w, a, a) + prec + 1e-8 * np.eye(d)
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        step = np.clip(step, -1.0, 1.0)
        theta = np.clip(theta + step, lo, hi)
        if np.abs(step).max() < 1e-6:
            break
    p = expit(theta @ a.T + b)
    info = np.einsum("nj,jd,je->nde", mask * p * (1 - p), a, a) + prec + 1e-8 * np.eye(d)
    return AbilityEstimate(theta, np.linalg.inv(info), method)
