"""Adaptive testing over a fitted TinyEstimator's anchors: ask each model the
items that tell the most about *its* full score, update its ability after
every answer, and stop once the score is known precisely enough.

A test is four small parts, as catsim splits one (initialisation,
estimation, selection, stopping), each swappable:
- estimation (`AbilityUpdate`, default `MapLaplace`): the ability posterior
  after a model's answers, summarised by its mode (MAP) and Laplace
  covariance Sigma, and the standard error of the full score it leaves
  (`measurement.score_measurement`); vectorised over models;
- initialisation: that same update with no answers yet, the ability prior;
- selection (`adaptive_selection`): each unasked item's worth for each
  model, and randomesque exposure control;
- stopping (`adaptive_stopping`): the item budget, and optionally a target
  standard error of the estimated full score.

The quantity to learn is the full score as a function of ability, h(theta):
the p-IRT pool accuracy at theta, put on the full-score scale by the slope of
the estimator's own score map (`measurement.score_slope`). Its standard error
sqrt(g' Sigma g), g the gradient of h at the MAP, is the *measurement* error
of the score, which drives the choice of items. The estimate and interval
(`AdaptiveScoreMaps`, fitted on the calibration models' own adaptive tests)
also carry the error of the map from ability to full score; the target-error
stopping rule uses that total standard error (interval half-width / z), so a
target below the map's own error is never reached and the test runs to its
budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from .adaptive_selection import SELECTORS, Selector, pick
from .adaptive_stopping import ItemBudget, StoppingRule, TargetError
from .calibration import Calibration, ScoreEstimate
from .checks import as_response_matrix, check_n_items
from .measurement import ScoreMeasurement, score_measurement, score_slope
from .score_map import ScoreMap

SELECTION_RULES = tuple(SELECTORS)


class AdaptiveMaps(Protocol):
    lengths_: list[int]
    slope_: float


class FittedEstimator(Protocol):
    """What an adaptive test needs of a fitted estimator (TinyEstimator has it)."""

    calibration_: Calibration
    score_map_: ScoreMap
    adaptive_: AdaptiveMaps | None

    def check_fitted(self) -> None: ...

    def predict_adaptive(self, answers) -> ScoreEstimate: ...


class AbilityUpdate(Protocol):
    def measure(self, calibration: Calibration, answers: np.ndarray, slope: float,
                rows: np.ndarray) -> ScoreMeasurement:
        """The ability posterior and score SE of models `rows` after `answers`
        (their rows: NaN = not asked; none yet gives the starting point)."""


@dataclass(frozen=True)
class MapLaplace:
    """The MAP ability and its Laplace covariance under the calibration's prior."""

    def measure(self, calibration: Calibration, answers: np.ndarray, slope: float,
                rows: np.ndarray) -> ScoreMeasurement:
        return score_measurement(calibration, answers, slope)


@dataclass(frozen=True)
class AdaptiveSettings:
    """When to stop and how to choose.

    max_items: item budget per model. target_se: stop once the standard
    error of the estimated full score (points; half-width of its interval / z)
    is at most this (None: use the whole budget; needs an estimator with
    adaptive score maps). min_items: never stop on `target_se` before this many
    (earlier looks pick out models whose interval is narrow by chance, and
    coverage drops: see benchmarks/adaptive_stopping.py).
    batch_size: items chosen per round (one backend call answers a round).
    rule: the selection rule (a name in `adaptive_selection.SELECTORS`).
    randomesque: each pick is drawn at random among the `randomesque` x
    `batch_size` best items (exposure control; 1: the best).
    """

    max_items: int = 40
    target_se: float | None = None
    min_items: int = 20
    batch_size: int = 1
    rule: str = "score_variance"
    randomesque: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.rule not in SELECTION_RULES:
            raise ValueError(f"unknown selection rule {self.rule!r}; choose one of {SELECTION_RULES}")
        for name in ("max_items", "min_items", "batch_size", "randomesque"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.target_se is not None and not (np.isfinite(self.target_se) and self.target_se > 0):
            raise ValueError(f"target_se must be a positive number of score points, got {self.target_se}")


class AdaptiveTest:
    """Adaptive tests of `n_models` models at once over `estimator`'s anchors.

    `available` (models x anchors, bool) marks the items that may be asked
    (default: all). The parts default to what `settings` names: its selection
    rule, MAP-Laplace updates, its budget and target error; pass `selector`,
    `update` or `stopping` to swap one. Use `next_items` / `record` in
    rounds, or `run`.
    """

    def __init__(self, estimator: FittedEstimator, n_models: int = 1, settings: AdaptiveSettings | None = None,
                 available: np.ndarray | None = None, slope: float | None = None, selector: Selector | None = None,
                 update: AbilityUpdate | None = None, stopping: tuple[StoppingRule, ...] | None = None):
        estimator.check_fitted()
        self.estimator = estimator
        self.calibration = estimator.calibration_
        self.settings = s = settings or AdaptiveSettings()
        n_items = self.calibration.n_anchors
        self.available = np.ones((n_models, n_items), bool) if available is None else np.asarray(available, bool)
        if self.available.shape != (n_models, n_items):
            raise ValueError(f"available must be {n_models} x {n_items} (models x anchors), got {self.available.shape}")
        if s.target_se is not None and estimator.adaptive_ is None:
            raise ValueError("a target standard error needs an estimator with adaptive score maps "
                             "(TinyEstimator.fit_adaptive, or a parameter file fitted with them)")
        if slope is None:  # a fitted estimator carries the slope its adaptive score maps were fitted with
            fitted = estimator.adaptive_
            slope = fitted.slope_ if fitted is not None else score_slope(self.calibration, estimator.score_map_,
                                                                        seed=s.seed)
        self.slope = float(slope)
        self.selector = SELECTORS[s.rule] if selector is None else selector
        self.update = MapLaplace() if update is None else update
        if stopping is None:
            stopping = (ItemBudget(),)
            if s.target_se is not None:
                stopping += (TargetError(s.target_se, max(s.min_items, estimator.adaptive_.lengths_[0])),)
        self.stopping = stopping
        self.budget = min(s.max_items, n_items)
        self.answers = np.full((n_models, n_items), np.nan)
        self.order = np.full((n_models, self.budget), -1)
        self.n_asked = np.zeros(n_models, int)
        self.se_trace = np.full(self.order.shape, np.nan)  # score SE after each answer
        self._rng = np.random.default_rng(s.seed)
        everyone = np.arange(n_models)
        self.state = self.update.measure(self.calibration, self.answers, self.slope, everyone)  # the start

    @property
    def n_models(self) -> int:
        return self.answers.shape[0]

    def total_se(self, rows: np.ndarray) -> np.ndarray:
        """Standard error of the estimated full score of `rows` (points):
        the half-width of its interval over z."""
        r = self.estimator.predict_adaptive(self.answers[rows])
        return r.stderr

    def remaining(self) -> np.ndarray:
        """models x anchors: may still be asked."""
        return self.available & np.isnan(self.answers)

    def done(self) -> np.ndarray:
        """Per model: stopped by one of the stopping rules."""
        out = np.zeros(self.n_models, bool)
        for rule in self.stopping:
            out |= rule.stops(self, ~out)
        return out

    def next_items(self, rows=None) -> tuple[np.ndarray, np.ndarray]:
        """The next round: (model rows, anchor indices), up to `batch_size`
        items per model among `rows` (default: every model not done)."""
        rows = np.flatnonzero(~self.done()) if rows is None else np.asarray(rows, int)
        if rows.size == 0:
            return np.empty(0, int), np.empty(0, int)
        s = self.settings
        crit = self.selector.criterion(self.calibration.anchor_bank, self.state.rows(rows), self._rng)
        chosen, ok = pick(crit, self.remaining()[rows], s.batch_size, s.randomesque, self._rng)
        room = (self.budget - self.n_asked[rows])[:, None] > np.arange(s.batch_size)[None, :]
        keep = ok & room
        return np.broadcast_to(rows[:, None], chosen.shape)[keep], chosen[keep]

    # ---- answering -----------------------------------------------------
    def record(self, rows, items, answers) -> None:
        """Record 0/1 answers of model `rows[i]` to anchor `items[i]`."""
        rows, items = np.asarray(rows, int), np.asarray(items, int)
        y = np.asarray(answers, float)
        if not (rows.shape == items.shape == y.shape):
            raise ValueError(f"rows, items and answers must have one shape, got {rows.shape}, {items.shape}, {y.shape}")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("answers must be 0 (wrong) or 1 (right); NaN is not an answer")
        if (~np.isnan(self.answers[rows, items])).any() or len(set(zip(rows.tolist(), items.tolist()))) < rows.size:
            raise ValueError("an item was answered twice by the same model")
        by_row = np.argsort(rows, kind="stable")
        r_sorted = rows[by_row]
        position = self.n_asked[r_sorted] + np.arange(rows.size) - np.searchsorted(r_sorted, r_sorted)
        if (position >= self.budget).any():
            raise ValueError(f"more answers than the budget of {self.budget} items for a model")
        self.answers[rows, items] = y
        self.order[r_sorted, position] = items[by_row]
        np.add.at(self.n_asked, rows, 1)
        touched = np.unique(rows)
        m = self.update.measure(self.calibration, self.answers[touched], self.slope, touched)
        self.state.update(touched, m)
        self.se_trace[touched, self.n_asked[touched] - 1] = m.se

    def run(self, answer: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> "AdaptiveTest":
        """Rounds until every model is done; `answer(rows, items)` returns
        the answers of those models to those anchors."""
        while True:
            rows, items = self.next_items()
            if rows.size == 0:
                return self
            self.record(rows, items, answer(rows, items))

    def responses(self, first: int | None = None) -> np.ndarray:
        """Answers so far (models x anchors, NaN = not asked), or only those
        to each model's `first` items, for `TinyEstimator.predict_adaptive`."""
        if first is None:
            return self.answers.copy()
        out = np.full_like(self.answers, np.nan)
        r, k = np.nonzero(self.order[:, :first] >= 0)
        out[r, self.order[r, k]] = self.answers[r, self.order[r, k]]
        return out


def simulate_adaptive(estimator: FittedEstimator, anchor_responses, settings: AdaptiveSettings | None = None,
                      slope: float | None = None) -> AdaptiveTest:
    """Replay known answers (models x anchors, NaN = no answer on record) as
    adaptive tests; read the result with `.responses(first=k)`, `.n_asked`."""
    y = as_response_matrix(anchor_responses, name="anchor responses")
    check_n_items(y, estimator.calibration_.n_anchors, what="the anchor set")
    test = AdaptiveTest(estimator, y.shape[0], settings, available=~np.isnan(y), slope=slope)
    return test.run(lambda rows, items: y[rows, items])
