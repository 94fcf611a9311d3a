"""Is model A's estimated full score really above model B's? The difference
of two estimates with its interval and the probability that A is ahead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from .intervals import interval_stderr, z_of


@dataclass(frozen=True)
class Difference:
    """A - B with its interval at `level`, and P(A's full score > B's)."""

    diff: float
    lower: float
    upper: float
    prob_a_ahead: float
    level: float

    @property
    def verdict(self) -> str:
        if self.lower > 0:
            return "A ahead"
        if self.upper < 0:
            return "B ahead"
        return "no clear difference"


def compare_estimates(a: tuple[float, float, float], b: tuple[float, float, float],
                      level: float = 0.95) -> Difference:
    """a, b: (score, lower, upper) of two estimates, each interval at `level`.

    Each interval is read as a normal one (standard error = width / 2z) and
    the two errors as independent. Errors of two models scored by the same
    parameters tend to move together, so the independent interval is, if
    anything, too wide: a "clear" difference is a safe call.
    """
    for name, (s, lo, hi) in (("A", a), ("B", b)):
        if not np.all(np.isfinite([s, lo, hi])) or not lo <= s <= hi:
            raise ValueError(f"estimate {name} must be finite with lower <= score <= upper; got {(s, lo, hi)}")
    z = z_of(level)
    se = float(np.hypot(interval_stderr(a[1], a[2], level), interval_stderr(b[1], b[2], level)))
    d = a[0] - b[0]
    prob = float(norm.cdf(d / se)) if se > 0 else float(d > 0) + 0.5 * float(d == 0)
    return Difference(float(d), float(d - z * se), float(d + z * se), prob, level)


def average_estimates(score, lower, upper, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean of k estimates (last axis) and its interval at `level`, each
    interval read as a normal one and the k errors as independent (the
    errors of different benchmarks' estimates are nearly uncorrelated; see
    benchmarks/leaderboard_average.py); each side of the intervals is
    combined on its own, as they can be asymmetric. Returns (mean, lower, upper)."""
    score, lower, upper = (np.asarray(v, dtype=float) for v in (score, lower, upper))
    if not (np.isfinite(score).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
        raise ValueError("estimates must be finite")
    if np.any(lower > score) or np.any(score > upper):
        raise ValueError("every estimate needs lower <= score <= upper")
    k = score.shape[-1]
    down, up = (np.sqrt(np.sum(reach**2, axis=-1)) / k for reach in (score - lower, upper - score))
    mean = score.mean(-1)
    return mean, mean - down, mean + up
