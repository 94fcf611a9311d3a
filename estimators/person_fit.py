"""Person fit: does a model's answer pattern look like those of the
calibration models?

The statistic is the standardized log-likelihood lz (Drasgow, Levine and
Williams 1985) of the answers at the model's estimated ability. Very negative
values mean hard items right and easy ones wrong, the mark of contamination or
of a broken prompt format. lz computed at an *estimated* ability is not
standard normal, and real models misfit any IRT model a little, so the flag
threshold is not the normal quantile: it is the `alpha` quantile of lz among
the calibration models themselves, which makes normal models flagged at about
rate `alpha`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .grid import on_grid

DEFAULT_ALPHA = 0.05
_EPS = 1e-9


def lz_statistic(responses: np.ndarray, p_correct: np.ndarray) -> np.ndarray:
    """lz of each row of 0/1/NaN `responses` (models x items) given each
    model's predicted probabilities of answering each item correctly (same
    shape). NaN answers are left out; a row with no informative item gets 0."""
    y = np.asarray(responses, dtype=float)
    p = np.clip(np.asarray(p_correct, dtype=float), _EPS, 1 - _EPS)
    if y.shape != p.shape:
        raise ValueError(f"responses have shape {y.shape} but probabilities {p.shape}")
    mask = ~np.isnan(y)
    y0 = np.where(mask, y, 0.0)
    log_p, log_q = np.log(p), np.log1p(-p)
    observed = np.sum(mask * (y0 * log_p + (1 - y0) * log_q), axis=1)
    expected = np.sum(mask * (p * log_p + (1 - p) * log_q), axis=1)
    variance = np.sum(mask * p * (1 - p) * (log_p - log_q) ** 2, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        lz = (observed - expected) / np.sqrt(variance)
    return np.where(variance > 0, lz, 0.0)


@dataclass(frozen=True)
class PersonFitCheck:
    """Flags answer patterns whose lz is below that of all but `alpha` of
    the calibration models."""

    threshold: float
    alpha: float = DEFAULT_ALPHA

    @classmethod
    def fit(cls, calibration_lz: np.ndarray, alpha: float = DEFAULT_ALPHA) -> "PersonFitCheck":
        lz = np.asarray(calibration_lz, dtype=float)
        if not 0 < alpha < 0.5:
            raise ValueError(f"alpha must be in (0, 0.5), got {alpha}")
        if lz.size < 20 or not np.isfinite(lz).all():
            raise ValueError(f"need at least 20 finite calibration lz values to set a threshold, got {lz.size}")
        return cls(float(np.quantile(lz, alpha)), float(alpha))

    def flags(self, lz: np.ndarray) -> np.ndarray:
        """True where lz is below the threshold (compared on the decision
        grid: the threshold can be a calibration model's own lz)."""
        return on_grid(lz) < on_grid(self.threshold)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PersonFitCheck":
        return cls(**d)
