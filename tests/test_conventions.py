"""One convention for every object that fits, predicts and serialises:
settings in __init__ (a dataclass's fields, no learned state), `fit`
returns the object with its learned attributes named with a trailing `_`,
and `from_dict(to_dict())` gives an object that predicts the same."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import simulate_2pl
from tinytasks.estimators import TinyEstimator
from tinytasks.estimators.adaptive_map import AdaptiveScoreMaps
from tinytasks.estimators.chance import ChanceLevel
from tinytasks.estimators.partial_map import PartialScoreMap
from tinytasks.estimators.score_map import ScoreMap

CLASSES = (TinyEstimator, ScoreMap, PartialScoreMap, AdaptiveScoreMaps)


@pytest.fixture(scope="module")
def fitted():
    y, theta, _, _ = simulate_2pl(400, 40, n_dims=1, seed=3)
    scores = 50 + 15 * theta[:, 0]
    est = TinyEstimator(25, "stratified", 1, 0, chance=ChanceLevel(0.25, 25.0)).fit(y, scores)
    est.fit_adaptive(y, scores)
    ya = y[:, est.anchors_.items]
    feats, _, _ = est.calibration_.features(ya)
    return {TinyEstimator: (est, lambda m: m.predict(ya[:20]).score),
            ScoreMap: (est.score_map_, lambda m: m.predict(feats[:20])[1]),
            PartialScoreMap: (est.partial_map_, lambda m: m.predict(est.calibration_, np.where(
                np.arange(ya.shape[1]) < 5, ya[:20], np.nan))[2]),
            AdaptiveScoreMaps: (est.adaptive_, lambda m: m.predict(est.calibration_, est.guard_, np.where(
                np.arange(ya.shape[1]) < 10, ya[:20], np.nan)).score)}


def _state(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if not k.startswith("__")}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_settings_in_init_learned_state_with_a_trailing_underscore(cls, fitted):
    assert dataclasses.is_dataclass(cls)
    unfitted = cls()
    assert all(not k.endswith("_") for k in _state(unfitted)), "the constructor holds learned state"
    obj, _ = fitted[cls]
    settings = {f.name for f in dataclasses.fields(cls)}
    learned = set(_state(obj)) - settings
    assert learned and all(k.endswith("_") for k in learned), sorted(learned)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_to_dict_round_trips_and_predicts_the_same(cls, fitted):
    obj, predict = fitted[cls]
    again = cls.from_dict(obj.to_dict())
    assert again.to_dict() == obj.to_dict()
    np.testing.assert_array_equal(predict(again), predict(obj))
