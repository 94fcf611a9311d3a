import numpy as np
import pytest
from conftest import simulate_2pl

from tinytasks.estimators import TinyEstimator
from tinytasks.estimators.person_fit import PersonFitCheck, lz_statistic


def _p(theta, slopes, intercepts):
    return 1 / (1 + np.exp(-(theta @ slopes.T + intercepts)))


def test_lz_at_the_true_ability_is_standardised():
    y, theta, a, b = simulate_2pl(3000, 150, seed=1)
    lz = lz_statistic(y, _p(theta, a, b))
    assert abs(lz.mean()) < 0.08
    assert 0.9 < lz.std() < 1.1


def test_a_reversed_pattern_has_a_very_negative_lz():
    _, _, a, b = simulate_2pl(1, 100, seed=2)
    theta = np.zeros((1, 1))
    p = _p(theta, a, b)
    typical = (p > 0.5).astype(float)  # easy items right, hard ones wrong
    reversed_ = 1 - typical  # same items, the other way round
    assert lz_statistic(typical, p)[0] > 1.5
    assert lz_statistic(reversed_, p)[0] < -5


def test_unanswered_items_are_left_out():
    y, theta, a, b = simulate_2pl(5, 40, seed=3)
    p = _p(theta, a, b)
    partial = y.copy()
    partial[:, 20:] = np.nan
    np.testing.assert_allclose(lz_statistic(partial, p), lz_statistic(y[:, :20], p[:, :20]))
    with pytest.raises(ValueError, match="shape"):
        lz_statistic(y, p[:, :10])


def test_threshold_is_the_calibration_quantile_and_bad_settings_are_errors():
    lz = np.linspace(-3, 3, 101)
    check = PersonFitCheck.fit(lz, alpha=0.1)
    assert check.threshold == pytest.approx(np.quantile(lz, 0.1))
    assert check.flags(np.array([-2.5, 0.0])).tolist() == [True, False]
    assert PersonFitCheck.from_dict(check.to_dict()) == check
    with pytest.raises(ValueError, match="alpha"):
        PersonFitCheck.fit(lz, alpha=0.7)
    with pytest.raises(ValueError, match="at least 20"):
        PersonFitCheck.fit(lz[:5])


@pytest.mark.slow
def test_real_mmlu_flag_is_near_nominal_on_held_out_models_and_fires_on_shuffled_answers(mmlu_data):
    y, s = mmlu_data.responses, mmlu_data.scores
    rng = np.random.default_rng(0)
    test = np.zeros(len(s), bool)
    test[rng.choice(len(s), 800, replace=False)] = True
    est = TinyEstimator(None, "stratified", 2).fit(y[~test], s[~test])
    normal = est.predict(y[test])
    assert 0.02 <= normal.misfit.mean() <= 0.10
    mid = (normal.accuracy > 0.25) & (normal.accuracy < 0.75)
    shuffled = rng.permuted(y[test][mid], axis=1)
    assert est.predict(shuffled).misfit.mean() > 0.4
