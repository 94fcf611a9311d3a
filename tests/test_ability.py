import numpy as np
import pytest
from conftest import simulate_2pl

from tinytasks.estimators import AbilityPrior, ItemBank, estimate_ability


@pytest.fixture(scope="module")
def known():
    y, theta, a, b = simulate_2pl(1500, 50, seed=4)
    return y, theta[:, 0], ItemBank(a, b)


@pytest.mark.parametrize("method", ["mle", "map", "eap"])
def test_abilities_track_truth_with_calibrated_errors(known, method):
    y, theta, bank = known
    est = estimate_ability(y, bank, method)
    assert est.theta.shape == (1500, 1)
    assert np.corrcoef(est.theta[:, 0], theta)[0, 1] > 0.9
    inner = np.abs(theta) < 2  # MLE is clipped at the extremes
    z = (est.theta[inner, 0] - theta[inner]) / est.se[inner]
    assert 0.7 < z.std() < 1.3


def test_fewer_items_give_larger_standard_errors(known):
    y, _, bank = known
    partial = y.copy()
    partial[:, 10:] = np.nan
    full = estimate_ability(y, bank, "eap")
    few = estimate_ability(partial, bank, "eap")
    assert np.all(few.se > full.se)


def test_two_dimensional_eap_and_map_agree():
    y, theta, a, b = simulate_2pl(400, 60, n_dims=2, seed=5)
    bank = ItemBank(a, b)
    eap = estimate_ability(y, bank, "eap", AbilityPrior.standard(2))
    map_ = estimate_ability(y, bank, "map", AbilityPrior.standard(2))
    assert eap.cov.shape == (400, 2, 2)
    assert np.corrcoef(eap.theta[:, 0], map_.theta[:, 0])[0, 1] > 0.97


def test_wrong_number_of_responses_is_an_error(known):
    _, _, bank = known
    with pytest.raises(ValueError, match="responses for 3 items but the item bank has 50"):
        estimate_ability(np.array([[1, 0, 1]]), bank)
    with pytest.raises(ValueError, match="unknown ability method"):
        estimate_ability(np.ones((1, 50)), bank, "bayes")
