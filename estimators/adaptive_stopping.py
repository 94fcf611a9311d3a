"""When an adaptive test stops. A test stops a model as soon as any of its
stopping rules says so; each rule sees only the models still running."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class RunningTest(Protocol):
    """What a stopping rule reads of a test (AdaptiveTest has it)."""

    n_asked: np.ndarray
    budget: int

    def remaining(self) -> np.ndarray: ...

    def total_se(self, rows: np.ndarray) -> np.ndarray: ...


class StoppingRule(Protocol):
    def stops(self, test: RunningTest, running: np.ndarray) -> np.ndarray:
        """Per model, True where this rule stops it (only `running` ones are asked)."""


@dataclass(frozen=True)
class ItemBudget:
    """Stop at the test's item budget, or when nothing is left to ask."""

    def stops(self, test: RunningTest, running: np.ndarray) -> np.ndarray:
        return running & ((test.n_asked >= test.budget) | ~test.remaining().any(1))


@dataclass(frozen=True)
class TargetError:
    """Stop once the standard error of the estimated full score (points;
    half-width of its interval / z) is at most `target_se`, but never before
    `min_items` answers (earlier looks pick out models whose interval is
    narrow by chance, and coverage drops: see benchmarks/adaptive_stopping.py)."""

    target_se: float
    min_items: int

    def stops(self, test: RunningTest, running: np.ndarray) -> np.ndarray:
        out = np.zeros_like(running)
        ready = np.flatnonzero(running & (test.n_asked >= self.min_items))
        if ready.size:
            out[ready] = test.total_se(ready) <= self.target_se
        return out
