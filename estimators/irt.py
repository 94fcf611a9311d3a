"""Item response theory models: a (multidimensional) two-parameter logistic
item bank, fitted by joint maximum a posteriori estimation.

P(correct | theta) = sigmoid(theta . a_j + b_j), theta ~ N(0, I), with weak
Gaussian priors on a_j and b_j (slope-intercept form; difficulty = -b / |a|).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from .checks import as_response_matrix


@dataclass
class ItemBank:
    """Fitted item parameters: `slopes` (items x dims) and `intercepts` (items)."""

    slopes: np.ndarray
    intercepts: np.ndarray

    def __post_init__(self) -> None:
        self.slopes = np.atleast_2d(np.asarray(self.slopes, dtype=float))
        if self.slopes.shape[0] == 1 and np.asarray(self.intercepts).size > 1:
            self.slopes = self.slopes.T
        self.intercepts = np.asarray(self.intercepts, dtype=float).ravel()
        if self.slopes.shape[0] != self.intercepts.shape[0]:
            raise ValueError(
                f"slopes describe {self.slopes.shape[0]} items but intercepts {self.intercepts.shape[0]}"
            )
        if not (np.isfinite(self.slopes).all() and np.isfinite(self.intercepts).all()):
            raise ValueError("item parameters contain NaN or inf")

    @property
    def n_items(self) -> int:
        return self.intercepts.shape[0]

    @property
    def n_dims(self) -> int:
        return self.slopes.shape[1]

    @property
    def difficulty(self) -> np.ndarray:
        """Ability (along the slope direction) at which P(correct) = 0.5."""
        return -self.intercepts / np.maximum(np.linalg.norm(self.slopes, axis=1), 1e-9)

    def subset(self, items: np.ndarray) -> "ItemBank":
        return ItemBank(self.slopes[items], self.intercepts[items])

    def icc(self, theta: np.ndarray) -> np.ndarray:
        """P(correct) for abilities `theta` (n x dims, or n for 1-D): n x items."""
        theta = _as_theta(theta, self.n_dims)
        return expit(theta @ self.slopes.T + self.intercepts)

    def complete_answers(self, theta: np.ndarray, answers: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Every item's answer as p-IRT takes it (n x items): the given
        `answers` (n x len(items), NaN = not given) to `items` where known,
        P(correct) at `theta` everywhere else."""
        p = self.icc(theta)
        p[:, items] = np.where(np.isnan(answers), p[:, items], answers)
        return p

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Fisher information of each item along the main direction: n x items."""
        p = self.icc(theta)
        return p * (1 - p) * np.sum(self.slopes**2, axis=1)


def _as_theta(theta, n_dims: int) -> np.ndarray:
    t = np.asarray(theta, dtype=float)
    if t.ndim == 0:
        t = t.reshape(1, 1)
    if t.ndim == 1:
        t = t[:, None] if n_dims == 1 else t[None, :]
    if t.shape[1] != n_dims:
        raise ValueError(f"abilities have {t.shape[1]} dimensions but the item bank has {n_dims}")
    return t


@dataclass
class IRTFitter:
    """Joint MAP fit of a `n_dims`-dimensional 2PL on a 0/1/NaN matrix.

    Settings only; `fit` returns a `FittedIRT`. `slope_prior_sd` and
    `intercept_prior_sd` are the prior standard deviations of the item
    parameters; abilities have a standard normal prior.
    """

    n_dims: int = 1
    slope_prior_sd: float = 1.5
    intercept_prior_sd: float = 3.0
    max_iter: int = 2000
    tol: float = 1e-7
    seed: int = 0

    def fit(self, responses) -> "FittedIRT":
        y = as_response_matrix(responses)
        n, j = y.shape
        d = self.n_dims
        if d < 1:
            raise ValueError(f"n_dims must be >= 1, got {d}")
        mask = ~np.isnan(y)
        y0 = np.where(mask, y, 0.0)
        rng = np.random.default_rng(self.seed)

        # Start from standardised sum scores so that the first dimension is
        # oriented with overall accuracy (slopes come out positive).
        acc = y0.sum(1) / mask.sum(1)
        z = (acc - acc.mean()) / (acc.std() + 1e-9)
        theta0 = np.column_stack([z] + [0.1 * rng.standard_normal(n) for _ in range(d - 1)])
        item_p = np.clip(y0.sum(0) / np.maximum(mask.sum(0), 1), 0.02, 0.98)
        a0 = np.column_stack([np.ones(j)] + [0.1 * rng.standard_normal(j) for _ in range(d - 1)])
        b0 = np.log(item_p / (1 - item_p))
        x0 = np.concatenate([theta0.ravel(), a0.ravel(), b0])

        va = self.slope_prior_sd**2
        vb = self.intercept_prior_sd**2

        def unpack(x):
            th = x[: n * d].reshape(n, d)
            a = x[n * d : n * d + j * d].reshape(j, d)
            b = x[n * d + j * d :]
            return th, a, b

        def objective(x):
            th, a, b = unpack(x)
            logits = th @ a.T + b
            # -log-likelihood of Bernoulli(sigmoid(logits)), stable form
            nll = -np.sum(mask * (y0 * log_expit(logits) + (1 - y0) * log_expit(-logits)))
            g = mask * (expit(logits) - y0)
            prior = 0.5 * np.sum(th**2) + 0.5 * np.sum(a**2) / va + 0.5 * np.sum(b**2) / vb
            grad = np.concatenate(
                [(g @ a + th).ravel(), (g.T @ th + a / va).ravel(), g.sum(0) + b / vb]
            )
            return nll + prior, grad

        start = time.perf_counter()
        res = minimize(
            objective, x0, jac=True, method="L-BFGS-B",
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-5, "maxcor": 20},
        )
        th, a, b = unpack(res.x)
        return FittedIRT(
            bank=ItemBank(a, b),
            abilities=th,
            settings=dict(
                model="2PL" if d == 1 else f"M2PL-{d}",
                n_dims=d,
                slope_prior_sd=self.slope_prior_sd,
                intercept_prior_sd=self.intercept_prior_sd,
                seed=self.seed,
            ),
            converged=bool(res.success),
            n_iter=int(res.nit),
            seconds=time.perf_counter() - start,
            neg_log_posterior=float(res.fun),
        )


@dataclass
class FittedIRT:
    """The result of `IRTFitter.fit`: the item bank and the training abilities."""

    bank: ItemBank
    abilities: np.ndarray
    settings: dict = field(default_factory=dict)
    converged: bool = True
    n_iter: int = 0
    seconds: float = 0.0
    neg_log_posterior: float = float("nan")
