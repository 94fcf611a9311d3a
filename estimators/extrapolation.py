"""Guarding the score map at the edges of its calibration data.

A map learned on calibration models is least trustworthy for models stronger
(or weaker) than all of them, which is where a new model often is. Each tail
of the anchor-accuracy range gets a guard: inside the calibration data the map
is used as is; where fewer than `RAMP_SHARE` of the calibration models answered
the anchors at least as well (as badly) the prediction moves towards a
fallback, and beyond them all the estimate is flagged as an extrapolation.
The interval widens over the same ramp (`INTERVAL_RAMP_SHARE`). Inside the
calibration data the map's own interval is sized per score band (see
score_map), which covers the strongest and the weakest models at the level;
a wider interval ramp there only widens intervals that already cover
(benchmarks/coverage_by_band.py gives coverage and width per band).

No extrapolation is allowed below the scores of most calibration models that
answered at least as well (the `ENVELOPE_QUANTILE` of them; mirrored in the
lower tail): on the leaderboard's TruthfulQA two dozen contaminated models
answer every anchor and score 100, which the map learns and a line through the
other strong models does not.

Which fallback (the map itself, or a straight line in anchor accuracy fitted
on all or on the nearer half of the models) and how wide the interval must be
are both chosen by a strength split *inside* the calibration data: fit on the
models whose real score is not in the outer `TAIL_SHARE`, score the outer ones.

That choice is itself uncertain: on the shared leaderboard data the best
extrapolation differs by benchmark, and an internal split whose outer models
form a narrow cluster (MMLU) can prefer a line that is far off beyond it. So
towards each tail the interval also spans every candidate extrapolation (the
map, both forward lines, and the reverse line of accuracy on score, which
regression dilution does not flatten) widened by the fallback's half-width:
where the candidates disagree the interval says so. The interval also reaches
the ceiling line, from the mean (accuracy, score) of the calibration models in
the interval's ramp to a perfect score at every anchor answered (a zero score
at none, in the lower tail): a model that answers nearly every anchor may be
far stronger than any calibration model, because a pool cannot rank models it
has run out of hard items for. Held out by real score, the leaderboard's
strongest MMLU models answer up to the whole pool and score far above every
other candidate there (see benchmarks/extrapolation.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

TAIL_SHARE = 0.12  # share of calibration models held out per tail to learn how extrapolation errs
RAMP_SHARE = 0.05  # the blend towards the fallback starts where this share of models is at least as extreme
INTERVAL_RAMP_SHARE = RAMP_SHARE  # the interval's widening starts where this share of models is as extreme
ENVELOPE_QUANTILE = 0.10
ENVELOPE_MIN_MODELS = 5  # fewer calibration models at least as extreme: no envelope
FALLBACKS = ("map", "linear_all", "linear_near")
CANDIDATE_LINES = ("linear_all", "linear_near", "ceiling", "reverse_near")  # order of TailGuard.candidate_lines
TIE = 1e-9  # accuracies closer than this are equal (they are multiples of 1/n_anchors)

# (train mask, test mask) -> map predictions for the test models
MapRefit = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TailGuard:
    """The guard of one tail (`side` is "upper" or "lower") of the score range.

    Accuracies and scores are stored as `extremeness`: as they are in the
    upper tail, negated in the lower one, so that larger is further out."""

    side: str
    support: tuple[float, ...]  # extremeness of the INTERVAL_RAMP_SHARE most extreme calibration models, ascending
    ramp_models: tuple[int, int]  # how many of the most extreme models the estimate's and the interval's ramp span
    envelope: tuple[tuple[float, float], ...]  # (accuracy level, bound on score), both as extremeness, ascending
    fallback: str  # "map" or the CANDIDATE_LINES entry the estimate moves to
    half_width: float
    candidate_lines: tuple[tuple[float, float], ...]  # (coef, intercept) per CANDIDATE_LINES entry

    def _sign(self) -> float:
        return 1.0 if self.side == "upper" else -1.0

    def extremeness(self, values: np.ndarray) -> np.ndarray:
        return self._sign() * np.asarray(values, float)

    def weight(self, accuracy: np.ndarray, of: str = "estimate") -> np.ndarray:
        """The ramp `of` the "estimate" or the "interval": 0 where at least
        RAMP_SHARE (INTERVAL_RAMP_SHARE) of the calibration models are as
        extreme, rising to 1 beyond all of them."""
        ramps = ("estimate", "interval")
        if of not in ramps:
            raise ValueError(f"of must be one of {ramps}, got {of!r}")
        m = self.ramp_models[ramps.index(of)]
        support = np.asarray(self.support)
        n_as_extreme = support.size - np.searchsorted(support, self.extremeness(accuracy) - TIE, side="left")
        return np.clip(1.0 - n_as_extreme / max(m, 1), 0.0, 1.0)

    def beyond(self, accuracy: np.ndarray) -> np.ndarray:
        """True where the accuracy is more extreme than every calibration model's."""
        return self.extremeness(accuracy) > (self.support[-1] + TIE if self.support else np.inf)

    def bound(self, accuracy: np.ndarray, score: np.ndarray) -> np.ndarray:
        """`score` kept from falling behind (upper tail: below) the envelope
        of the calibration models at least as extreme."""
        if not self.envelope:
            return score
        x = self.extremeness(accuracy)
        levels, bounds = (np.asarray(v) for v in zip(*self.envelope))
        at = np.searchsorted(levels, x - TIE, side="left")  # the least extreme level >= x
        inside = (at < levels.size) & (x >= levels[0] - TIE)  # elsewhere the guard's weight is 0 anyway
        limit = np.where(inside, bounds[np.minimum(at, levels.size - 1)], -np.inf)
        return self.extremeness(np.maximum(self.extremeness(score), limit))

    def candidates(self, accuracy: np.ndarray, map_score: np.ndarray) -> dict[str, np.ndarray]:
        """Every candidate extrapolation's score, the fallback among them: the
        map and each of `CANDIDATE_LINES` fitted, each within the envelope."""
        lines = {name: self.bound(accuracy, c * accuracy + b)
                 for name, (c, b) in zip(CANDIDATE_LINES, self.candidate_lines)}
        return {"map": map_score, **lines}


def _ramp_models(n: int) -> tuple[int, int]:
    return tuple(max(int(np.ceil(share * n)), 1) for share in (RAMP_SHARE, INTERVAL_RAMP_SHARE))


def _support_and_envelope(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], tuple[tuple[float, float], ...]]:
    """x, y: the calibration models' accuracy and score as extremeness."""
    support = np.sort(x)[-max(_ramp_models(x.size)):]
    envelope = []
    for level in np.unique(support):  # a few dozen accuracy levels in the tail
        at_least = y[x >= level - TIE]
        if at_least.size >= ENVELOPE_MIN_MODELS:
            envelope.append((float(level), float(np.quantile(at_least, ENVELOPE_QUANTILE))))
    return tuple(float(v) for v in support), tuple(envelope)


def _line(acc: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    if np.ptp(acc) == 0:
        return 0.0, float(scores.mean())
    coef, intercept = np.polyfit(acc, scores, 1)
    return float(coef), float(intercept)


def _reverse_line(acc: np.ndarray, scores: np.ndarray) -> tuple[float, float] | None:
    """Accuracy regressed on score, solved for score; None when accuracy does
    not rise with score."""
    slope, offset = np.polyfit(scores, acc, 1) if np.ptp(scores) > 0 else (0.0, 0.0)
    if slope <= 0:
        return None
    return float(1 / slope), float(-offset / slope)


def _ceiling_line(acc: np.ndarray, scores: np.ndarray, tail: np.ndarray, upper: bool) -> tuple[float, float]:
    """The line from the `tail` models' mean (accuracy, score) to a perfect
    score at accuracy 1 (upper tail) or a zero score at accuracy 0 (lower)."""
    x0, y0 = float(acc[tail].mean()), float(scores[tail].mean())
    x1, y1 = (1.0, 100.0) if upper else (0.0, 0.0)
    if abs(x1 - x0) < TIE:  # every tail model answered every anchor (none): no room for a line
        return 0.0, y1
    coef = (y1 - y0) / (x1 - x0)
    return coef, y0 - coef * x0


def _line_fits(scores: np.ndarray, among: np.ndarray, upper: bool) -> dict[str, np.ndarray]:
    """The models each straight-line fallback is fitted on, within `among`:
    all of them, or the half nearer to this tail by real score."""
    med = np.median(scores[among])
    return {"linear_all": among, "linear_near": among & ((scores >= med) if upper else (scores <= med))}


def fit_tail_guard(side: str, accuracy: np.ndarray, scores: np.ndarray, refit_map: MapRefit,
                   level: float = 0.95) -> TailGuard:
    """Choose the fallback of one tail by an internal strength split (hold out
    the calibration models with the most extreme real scores) and size its
    interval by the `level` quantile of that fallback's errors there."""
    upper = side == "upper"
    cut = np.quantile(scores, 1 - TAIL_SHARE if upper else TAIL_SHARE)
    outer = scores > cut if upper else scores < cut
    inner = ~outer
    if outer.sum() >= 5 and inner.sum() >= 10:
        preds = {"map": refit_map(inner, outer)}
        for name, fit_on in _line_fits(scores, inner, upper).items():
            c, b = _line(accuracy[fit_on], scores[fit_on])
            preds[name] = c * accuracy[outer] + b
        errors = {k: np.abs(p - scores[outer]) for k, p in preds.items()}
        fallback = min(FALLBACKS, key=lambda k: errors[k].mean())
        half_width = float(np.quantile(errors[fallback], level))
    else:  # too few models to learn how extrapolation errs
        fallback, half_width = "map", 0.0
    # The final lines use every model, like the map they stand in for.
    fits = _line_fits(scores, np.ones_like(outer), upper)
    lines = {name: _line(accuracy[fit_on], scores[fit_on]) for name, fit_on in fits.items()}
    reverse = _reverse_line(accuracy[fits["linear_near"]], scores[fits["linear_near"]])
    sign = 1.0 if upper else -1.0
    support, envelope = _support_and_envelope(sign * accuracy, sign * scores)
    ceiling = _ceiling_line(accuracy, scores, sign * accuracy >= support[0] - TIE, upper)
    candidates = (lines["linear_all"], lines["linear_near"], ceiling) + ((reverse,) if reverse is not None else ())
    return TailGuard(side, support, _ramp_models(accuracy.size), envelope, fallback, half_width, candidates)


@dataclass(frozen=True)
class ExtrapolationGuard:
    """Both tails' guards."""

    upper: TailGuard
    lower: TailGuard

    @classmethod
    def fit(cls, accuracy: np.ndarray, scores: np.ndarray, refit_map: MapRefit,
            level: float = 0.95) -> "ExtrapolationGuard":
        """accuracy, scores: the calibration models' anchor accuracy and real
        full score; refit_map scores held-out calibration models."""
        return cls(*(fit_tail_guard(side, accuracy, scores, refit_map, level)
                     for side in ("upper", "lower")))

    def apply(self, accuracy: np.ndarray, score: np.ndarray, lower: np.ndarray, upper: np.ndarray):
        """Blend the map's (score, lower, upper) towards each tail's fallback
        and stretch the interval over the candidate extrapolations; also
        return the extrapolation flag."""
        # The map's interval can be asymmetric (see score_map): each side keeps its own reach.
        down, up = score - lower, upper - score
        centre = score.copy()
        tails = [(g, g.weight(accuracy), g.weight(accuracy, "interval"), g.candidates(accuracy, score))
                 for g in (self.upper, self.lower)]
        for g, w, w_int, cands in tails:
            centre = (1 - w) * centre + w * cands[g.fallback]
            down = (1 - w_int) * down + w_int * np.maximum(down, g.half_width)
            up = (1 - w_int) * up + w_int * np.maximum(up, g.half_width)
        lo, hi = centre - down, centre + up
        for g, _, w_int, cands in tails:
            spread = np.stack(list(cands.values()))
            c_lo, c_hi = spread.min(0) - g.half_width, spread.max(0) + g.half_width
            lo = np.minimum(lo, centre - w_int * np.maximum(centre - c_lo, 0))
            hi = np.maximum(hi, centre + w_int * np.maximum(c_hi - centre, 0))
        flag = self.upper.beyond(accuracy) | self.lower.beyond(accuracy)
        return centre, lo, hi, flag

    def to_dict(self) -> dict:
        return {"upper": asdict(self.upper), "lower": asdict(self.lower)}

    @classmethod
    def from_dict(cls, d: dict) -> "ExtrapolationGuard":
        def tail(t: dict) -> TailGuard:  # JSON gives lists; the fitted guard holds tuples
            return TailGuard(**{**t, "support": tuple(t["support"]), "ramp_models": tuple(t["ramp_models"]),
                                **{k: tuple(map(tuple, t[k])) for k in ("envelope", "candidate_lines")}})
        return cls(tail(d["upper"]), tail(d["lower"]))
