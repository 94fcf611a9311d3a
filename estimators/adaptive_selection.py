"""Item selection for adaptive tests: which unasked anchor each model should
answer next. A selector scores every anchor for every model (larger is
better) from the model's current ability posterior; `pick` then takes the
best, with randomesque exposure control.

Rules (p = P(correct) at the MAP, a = the item's slopes, Sigma the Laplace
covariance, g the gradient of the full score h(theta)):
- `ScoreVariance` ("score_variance"): the item expected to shrink the
  variance of h the most, p(1-p) (g' Sigma a)^2 / (1 + p(1-p) a' Sigma a),
  the Bayesian rank-one update of Sigma (c-optimal design for the score).
- `FisherAlongScore` ("fisher"): the classical rule, the most Fisher
  information at the MAP along the direction in which h changes,
  p(1-p) (a . g/|g|)^2.
- `DOptimal` ("d_optimal"): the largest gain in posterior precision volume,
  p(1-p) a' Sigma a.
- `RandomItems` ("random"): uniformly random unasked items (a baseline).

catsim's selectors (MaxInfoSelector and the rest) take one ability per
examinee on a one-dimensional IRT scale; these take the multidimensional
posterior and the direction of the full score in it, which catsim has no
notion of.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .irt import ItemBank
from .measurement import ScoreMeasurement


class Selector(Protocol):
    def criterion(self, bank: ItemBank, state: ScoreMeasurement, rng: np.random.Generator) -> np.ndarray:
        """models x items: how much asking each item is worth (larger is better)."""


def _information(bank: ItemBank, state: ScoreMeasurement) -> np.ndarray:
    p = bank.icc(state.theta)
    return p * (1 - p)


@dataclass(frozen=True)
class ScoreVariance:
    def criterion(self, bank: ItemBank, state: ScoreMeasurement, rng: np.random.Generator) -> np.ndarray:
        info = _information(bank, state)
        sigma_a = np.einsum("nde,je->njd", state.cov, bank.slopes)  # Sigma a_j
        spread = np.einsum("njd,jd->nj", sigma_a, bank.slopes)  # a_j' Sigma a_j
        return info * np.einsum("nd,njd->nj", state.gradient, sigma_a) ** 2 / (1 + info * spread)


@dataclass(frozen=True)
class FisherAlongScore:
    def criterion(self, bank: ItemBank, state: ScoreMeasurement, rng: np.random.Generator) -> np.ndarray:
        g = state.gradient
        u = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
        return _information(bank, state) * (u @ bank.slopes.T) ** 2


@dataclass(frozen=True)
class DOptimal:
    def criterion(self, bank: ItemBank, state: ScoreMeasurement, rng: np.random.Generator) -> np.ndarray:
        sigma_a = np.einsum("nde,je->njd", state.cov, bank.slopes)
        return _information(bank, state) * np.einsum("njd,jd->nj", sigma_a, bank.slopes)


@dataclass(frozen=True)
class RandomItems:
    def criterion(self, bank: ItemBank, state: ScoreMeasurement, rng: np.random.Generator) -> np.ndarray:
        return rng.random((state.theta.shape[0], bank.n_items))


SELECTORS: dict[str, Selector] = {"score_variance": ScoreVariance(), "fisher": FisherAlongScore(),
                                  "d_optimal": DOptimal(), "random": RandomItems()}


def pick(criterion: np.ndarray, remaining: np.ndarray, batch_size: int, randomesque: int,
         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(chosen item per model and slot, whether that slot holds an item):
    models x batch_size, drawn at random among each model's `randomesque` x
    `batch_size` best remaining items (the best ones in order when
    `randomesque` is 1)."""
    crit = np.where(remaining, criterion, -np.inf)
    n_best = min(batch_size * randomesque, crit.shape[1])
    best = np.argsort(-crit, axis=1, kind="stable")[:, :n_best]
    ok = np.isfinite(np.take_along_axis(crit, best, 1))
    keys = np.where(ok, rng.random(best.shape) if randomesque > 1 else np.arange(n_best), np.inf)
    first = np.argsort(keys, axis=1, kind="stable")[:, :batch_size]
    return np.take_along_axis(best, first, 1), np.take_along_axis(ok, first, 1)
