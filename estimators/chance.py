"""What a random guesser would score, and estimates that know it.

Calibration models are leaderboard models: few of them sit at or below a
benchmark's chance level, and none below it on the full benchmark. A model
from the start of a training run (or a tiny model with a letter bias) can be
there, and the score map cannot say so: it was never shown such a model. The
chance level is known without any calibration model (1/choices for multiple
choice, 50 for Winogrande, 0 for GSM8K), so the estimate uses it:

- Where the anchor accuracy is below the chance accuracy, the interval
  reaches down towards what the anchors would say if the model's full score
  were as far below the chance score as its anchor accuracy is below chance
  accuracy (proportionally), read at the lower end of the accuracy's Wilson
  interval. How far it reaches is the evidence that the model answers below
  chance: the two-sided confidence 2 Phi(z) - 1 of the shortfall's z-score
  under binomial noise at chance, 0 at chance and near 1 once the shortfall
  is well beyond noise. It does not depend on how many calibration models
  are as weak: none of them scores below chance on the full benchmark, so
  they cannot say whether this one does. Inside the calibration range the
  point estimate is the map's: the calibration models there show what such
  anchor accuracies mean for the typical model.
- Beyond every calibration model's anchor accuracy (where the estimate is
  flagged `extrapolated`), the estimate and interval move to the chance path:
  a straight line from the chance point to the mean (accuracy, score) of the
  weakest calibration models, and below the chance accuracy a line through
  zero. Below chance the point estimate is shrunk toward chance by how much of
  the shortfall sampling noise can explain (positive-part James-Stein), so a
  few wrong answers do not make a below-chance score; many do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import norm

from .extrapolation import CANDIDATE_LINES, TIE, TailGuard


@dataclass(frozen=True)
class ChanceLevel:
    """A random guesser's expected anchor accuracy (0-1) and full score (0-100)."""

    accuracy: float
    score: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.accuracy < 1.0 and 0.0 <= self.score < 100.0):
            raise ValueError(f"a chance level needs an accuracy in [0, 1) and a score in [0, 100); got "
                             f"accuracy {self.accuracy!r}, score {self.score!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def wilson_interval(accuracy: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (n >= 1)."""
    z = norm.ppf(0.5 + level / 2)
    n = np.maximum(np.asarray(n, float), 1.0)
    centre = (accuracy + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(accuracy * (1 - accuracy) / n + z**2 / (4 * n**2))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


@dataclass(frozen=True)
class ChancePath:
    """Score as a function of anchor accuracy for models at the bottom of the
    scale: through (0, 0) and the chance point, then on to the weakest
    calibration models' mean (accuracy, score)."""

    chance: ChanceLevel
    weakest: tuple[float, float]

    @classmethod
    def from_guard(cls, chance: ChanceLevel, lower: TailGuard) -> "ChancePath":
        """The weakest calibration models' mean point, from the lower tail's
        guard: their mean accuracy (its support) and the ceiling line, which
        runs through that mean and zero."""
        x0 = float(-np.mean(lower.support))
        coef, intercept = lower.candidate_lines[CANDIDATE_LINES.index("ceiling")]
        return cls(chance, (x0, coef * x0 + intercept))

    def __call__(self, accuracy: np.ndarray) -> np.ndarray:
        ac, sc = self.chance.accuracy, self.chance.score
        x0, y0 = self.weakest
        slope = (y0 - sc) / (x0 - ac) if x0 - ac > TIE and y0 > sc else (sc / ac if ac > 0 else 100.0)
        below = sc * accuracy / ac if ac > 0 else np.full(np.shape(accuracy), sc)
        return np.where(accuracy <= ac, below, sc + slope * (accuracy - ac))


def chance_noise_var(n: np.ndarray, chance: ChanceLevel) -> np.ndarray:
    """Variance of a uniform guesser's accuracy on `n` anchors (n >= 1)."""
    return chance.accuracy * (1 - chance.accuracy) / np.maximum(np.asarray(n, float), 1.0)


def shrunk_accuracy(accuracy: np.ndarray, n: np.ndarray, chance: ChanceLevel) -> np.ndarray:
    """Below-chance accuracies pulled toward chance by the share of the
    shortfall that binomial noise at chance explains (none pulled above it)."""
    ac = chance.accuracy
    shortfall = np.maximum(ac - accuracy, 0.0)
    noise = chance_noise_var(n, chance)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(shortfall > 0, np.clip(1 - noise / shortfall**2, 0.0, 1.0), 0.0)
    return np.where(accuracy < ac, ac - keep * shortfall, accuracy)


def below_chance_evidence(accuracy: np.ndarray, n: np.ndarray, chance: ChanceLevel) -> np.ndarray:
    """2 Phi(z) - 1 for the z-score of an anchor accuracy's shortfall below
    the chance accuracy under binomial noise at chance (0 at or above it)."""
    ac = chance.accuracy
    noise_sd = np.sqrt(chance_noise_var(n, chance))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(noise_sd > 0, (ac - accuracy) / noise_sd, 0.0)
    return np.where(accuracy < ac - TIE, 2 * norm.cdf(z) - 1, 0.0)


def apply_chance(chance: ChanceLevel, lower_guard: TailGuard, accuracy: np.ndarray, n_answered: np.ndarray,
                 score: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float = 0.95):
    """(score, lower, upper) with the chance level taken into account (see the
    module docstring); models inside the calibration range and above chance
    accuracy are untouched."""
    path = ChancePath.from_guard(chance, lower_guard)
    acc_lo, acc_hi = wilson_interval(accuracy, n_answered, level)
    lower = lower - below_chance_evidence(accuracy, n_answered, chance) * np.maximum(lower - path(acc_lo), 0.0)

    a_min = float(-lower_guard.support[-1]) if lower_guard.support else 0.0
    ac = chance.accuracy
    if a_min > ac + TIE:
        t = np.clip((a_min - accuracy) / (a_min - ac), 0.0, 1.0)
    else:
        t = np.ones_like(accuracy)
    t = np.where(lower_guard.beyond(accuracy), t, 0.0)
    point = path(shrunk_accuracy(accuracy, n_answered, chance))
    hw = lower_guard.half_width
    score = (1 - t) * score + t * point
    lower = (1 - t) * lower + t * np.minimum(path(acc_lo) - hw, point)
    upper = (1 - t) * upper + t * np.maximum(path(acc_hi) + hw, point)
    return score, lower, upper
