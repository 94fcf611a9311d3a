import json

import numpy as np
import pytest

from tinytasks.estimators.extrapolation import CANDIDATE_LINES, ExtrapolationGuard


def _calibration(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    acc = rng.uniform(0.2, 0.8, n)
    scores = 100 * acc + rng.normal(0, 1.0, n)
    return acc, scores


def test_a_map_that_cannot_extrapolate_is_replaced_beyond_the_calibration_models():
    acc, scores = _calibration()
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: np.full(te.sum(), scores[tr].max()))
    assert guard.upper.fallback.startswith("linear") and guard.lower.fallback.startswith("linear")
    new_acc = np.array([0.5, 0.95])
    map_score = np.array([50.0, 70.0])
    score, lower, upper, flag = guard.apply(new_acc, map_score, map_score - 2, map_score + 2)
    assert flag.tolist() == [False, True]
    assert score[0] == 50.0 and upper[0] - lower[0] == 4.0  # inside: untouched
    assert abs(score[1] - 95.0) < 1.5  # beyond: the line, not the saturated map
    assert upper[1] - lower[1] >= 2 * guard.upper.half_width - 1e-9 and guard.upper.half_width > 0


def test_a_map_that_extrapolates_well_is_kept_and_the_guard_round_trips():
    acc, scores = _calibration(seed=1)
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: 100 * acc[te])
    assert guard.upper.fallback == "map"
    again = ExtrapolationGuard.from_dict(guard.to_dict())
    assert again == guard
    assert ExtrapolationGuard.from_dict(json.loads(json.dumps(guard.to_dict()))) == guard
    s, lo, hi, flag = again.apply(np.array([0.1]), np.array([10.0]), np.array([8.0]), np.array([12.0]))
    assert flag[0] and s[0] == 10.0 and lo[0] <= 8.0 and hi[0] >= 12.0


def test_where_the_extrapolations_disagree_the_interval_spans_them():
    # Like MMLU on the leaderboard: the strongest calibration models form a
    # cluster whose noisy accuracy flattens a line fitted near the top, so the
    # internal split prefers a line that is far off beyond the calibration data.
    rng = np.random.default_rng(2)
    true = rng.uniform(0.2, 0.6, 3000)
    true[:800] = rng.uniform(0.58, 0.62, 800)
    acc = np.clip(true + rng.normal(0, 0.04, true.size), 0, 1)
    scores = 100 * true
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: np.full(te.sum(), 61.0))
    assert len(guard.upper.candidate_lines) == 4
    new_acc = np.array([0.3, 0.9])
    map_score = np.array([30.0, 61.0])
    score, lower, upper, flag = guard.apply(new_acc, map_score, map_score - 2, map_score + 2)
    assert flag.tolist() == [False, True]
    assert upper[0] - lower[0] == 4.0  # inside the calibration data nothing changes
    assert lower[1] <= 90.0 <= upper[1], (score[1], lower[1], upper[1])  # the true score of the strong model
    lines = [c * 0.9 + b for c, b in guard.upper.candidate_lines]
    assert lower[1] <= min(lines) and upper[1] >= max(lines)


def test_the_guard_ramps_in_where_few_calibration_models_are_as_strong():
    acc, scores = _calibration(seed=3)
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: np.full(te.sum(), scores[tr].max()))
    top = np.sort(acc)
    n = acc.size
    w = guard.upper.weight(np.array([np.median(acc), top[-int(0.05 * n) - 5], top[-int(0.025 * n)], 0.99]))
    assert w[0] == 0 and w[1] == 0 and 0.4 < w[2] < 0.6 and w[3] == 1
    assert guard.lower.weight(np.array([0.01]))[0] == 1 and guard.upper.weight(np.array([0.01]))[0] == 0


def test_the_interval_widens_with_the_estimate_and_keeps_an_asymmetric_shape():
    # Inside the calibration data the map's band-conditional interval stands
    # as it is, asymmetric or not; the guard widens it only where it also
    # moves the estimate, among the 5% most extreme calibration models.
    acc, scores = _calibration(seed=5)
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: np.full(te.sum(), scores[tr].max()))
    top, n = np.sort(acc), acc.size
    band = np.array([np.median(acc), top[-int(0.085 * n)], top[-int(0.025 * n)]])
    assert guard.upper.weight(band, "interval").tolist() == guard.upper.weight(band).tolist()
    assert guard.upper.weight(band).tolist()[:2] == [0, 0] and guard.upper.weight(band)[2] > 0
    with pytest.raises(ValueError, match="estimate"):
        guard.upper.weight(band, "intervals")
    map_score = 100 * band
    score, lower, upper, _ = guard.apply(band, map_score, map_score - 1, map_score + 3)
    assert np.array_equal(score[:2], map_score[:2])
    np.testing.assert_allclose([map_score[:2] - lower[:2], upper[:2] - map_score[:2]], [[1, 1], [3, 3]])
    assert upper[2] - lower[2] > 4.0 + 1e-6


def test_no_extrapolation_falls_below_most_calibration_models_that_answered_as_well():
    # Like TruthfulQA on the leaderboard: a cluster of contaminated models
    # answers every anchor and scores 100, far above the line through the
    # other strong models; the map has learned them.
    acc, scores = _calibration(n=3000, seed=4)
    acc[:30], scores[:30] = 0.9, 100.0
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: np.full(te.sum(), 80.0))
    assert guard.upper.fallback.startswith("linear")
    coef, intercept = dict(zip(CANDIDATE_LINES, guard.upper.candidate_lines))[guard.upper.fallback]
    assert 0.9 * coef + intercept < 95
    score, lower, upper, flag = guard.apply(np.array([0.9, 0.79]), np.array([99.8, 79.0]),
                                            np.array([99.0, 77.0]), np.array([100.5, 81.0]))
    assert not flag.any()
    assert score[0] >= 99.0 and lower[0] >= 99.0 - guard.upper.half_width - 1e-9, (score, lower)
    assert score[1] < 99.0  # only where the contaminated models are the ones at least as extreme


def test_a_model_answering_every_anchor_may_be_far_stronger_than_the_calibration_models():
    # Like MMLU on the leaderboard held out by strength: the calibration models'
    # accuracy tops out near 0.8 and every line through them ends near 70 at a
    # full pool, where the real strongest models score up to 90.
    acc, scores = _calibration(n=3000, seed=5)
    guard = ExtrapolationGuard.fit(acc, scores, refit_map=lambda tr, te: np.full(te.sum(), scores.max()))
    coef, intercept = dict(zip(CANDIDATE_LINES, guard.upper.candidate_lines))["ceiling"]
    assert coef + intercept == pytest.approx(100.0)
    strongest = acc >= guard.upper.support[0] - 1e-9
    assert coef * acc[strongest].mean() + intercept == pytest.approx(scores[strongest].mean())
    map_score = np.array([scores.max()] * 2)
    score, lower, upper, flag = guard.apply(np.array([1.0, acc.max()]), map_score, map_score - 2, map_score + 2)
    assert flag[0] and upper[0] >= 100.0
    assert upper[1] < 100.0  # at the calibration models' own top the ceiling is still far
    # mirrored: a model that answers nothing may score nothing
    coef, intercept = dict(zip(CANDIDATE_LINES, guard.lower.candidate_lines))["ceiling"]
    assert intercept == pytest.approx(0.0)
