"""The fixed grid that discrete decisions compare values on.

BLAS and LAPACK kernels are chosen by CPU when they load (AVX-512 on one
machine, AVX2 on another), NumPy picks its vector loops the same way, and
the C library's exp and log have per-CPU variants: the same answers give
features, scores and statistics that differ in the last bits from one
machine to another. Continuous arithmetic keeps such a difference in the
last bits. A discrete decision does not: a tree split, a flag, or a guard
that switches on at a threshold turns it into a jump, and it does so
wherever the two values compared are equal in exact arithmetic. That is
common, because thresholds are learned from the calibration models
themselves: the largest pattern shift among them, the 5% quantile of their
person fit, the pool accuracies their adaptive tests reach, a tree's split
at one of their feature values; a model that answers as one of them did
sits exactly on it.

So every such decision compares values rounded to GRID_DECIMALS decimals
(in the values' own units: points, accuracies, abilities), and the
continuous parts of an estimate never see rounded values. Two machines then
decide differently only where a value lies within its last-bit noise
(about 1e-14) of a midpoint between two grid values: about one value in
10^6 of those at an exact tie, and otherwise no more often than without the
grid.
"""

from __future__ import annotations

import numpy as np

GRID_DECIMALS = 8


def on_grid(values) -> np.ndarray:
    """`values` rounded to the decision grid (GRID_DECIMALS decimals)."""
    return np.round(np.asarray(values, dtype=float), GRID_DECIMALS)
