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


# Newton's steps stop when an ability moves by less than this: converged to
# the last bits, so that a model's estimate depends neither on the other
# models of its batch nor on the CPU.
NEWTON_TOL = 1e-12
ARMIJO = 1e-4  # a damped step must raise the log-posterior by this share of the rise its slope promises
MAX_HALVINGS = 30


def _log_posterior(theta, y0, mask, a, b, prec, mu) -> np.ndarray:
    """Per model: log-likelihood of its answers at `theta` plus the log prior (up to a constant)."""
    z = theta @ a.T + b
    dev = theta - mu
    return (np.sum(mask * (y0 * log_expit(z) + (1 - y0) * log_expit(-z)), axis=1)
            - 0.5 * np.einsum("nd,de,ne->n", dev, prec, dev))


def _newton(y, bank, prior, bounds, method, n_iter: int = 100) -> AbilityEstimate:
    """The posterior mode (or the likelihood's, without a prior) by damped
    Newton steps: each step is halved until the log-posterior rises as its
    slope promises (Armijo), or by no more than rounding allows once the
    steps are that small, so that every model converges (the posterior is
    log-concave); abilities stay within `bounds`."""
    n, d = y.shape[0], bank.n_dims
    mask = ~np.isnan(y)
    y0 = np.where(mask, y, 0.0)
    a, b = bank.slopes, bank.intercepts
    prec = np.linalg.inv(prior.cov) if prior is not None else np.zeros((d, d))
    mu = prior.mean if prior is not None else np.zeros(d)
    theta = np.tile(mu, (n, 1)).astype(float)
    lo, hi = bounds
    logpost = _log_posterior(theta, y0, mask, a, b, prec, mu)
    active = np.arange(n)
    for _ in range(n_iter):
        if active.size == 0:
            break
        th, m, y_ = theta[active], mask[active], y0[active]
        p = expit(th @ a.T + b)
        grad = (m * (y_ - p)) @ a - (th - mu) @ prec
        hess = np.einsum("nj,jd,je->nde", m * p * (1 - p), a, a) + prec + 1e-8 * np.eye(d)
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        rise = np.sum(grad * step, axis=1)  # the rise the full step's slope promises (>= 0)
        new, f_new = th.copy(), logpost[active].copy()
        pending = np.arange(active.size)
        t = 1.0
        for _ in range(MAX_HALVINGS):
            cand = np.clip(th[pending] + t * step[pending], lo, hi)
            f = _log_posterior(cand, y_[pending], m[pending], a, b, prec, mu)
            f_old = logpost[active[pending]]
            ok = f >= f_old + ARMIJO * t * rise[pending] - 1e-12 * np.abs(f_old)
            new[pending[ok]], f_new[pending[ok]] = cand[ok], f[ok]
            pending = pending[~ok]
            if pending.size == 0:
                break
            t /= 2
        moved = np.abs(new - th).max(1)
        theta[active], logpost[active] = new, f_new
        active = active[moved >= NEWTON_TOL]
    p = expit(theta @ a.T + b)
    info = np.einsum("nj,jd,je->nde", mask * p * (1 - p), a, a) + prec + 1e-8 * np.eye(d)
    return AbilityEstimate(theta, np.linalg.inv(info), method)
