"""Reading an interval as a normal one: the standard error it stands for."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def z_of(level: float) -> float:
    """The two-sided normal quantile of an interval at `level` (1.96 at 0.95)."""
    return float(norm.ppf(0.5 + level / 2))


def interval_stderr(lower, upper, level: float = 0.95) -> np.ndarray:
    """The standard error an interval at `level` stands for: its width over
    2z. An asymmetric interval counts by its whole width (what lm-eval's
    Stderr column, `compare` and `rank` all show)."""
    return (np.asarray(upper, float) - np.asarray(lower, float)) / (2 * z_of(level))
